"""The REST API (PRD-235's endpoints), mounted on the bot's HTTP server."""

from bot.api.models import GENERATE_PATH, OPENAPI_PATH, PLAN_PATH
from bot.api.routes import PlanApi, register_api

__all__ = ["GENERATE_PATH", "OPENAPI_PATH", "PLAN_PATH", "PlanApi", "register_api"]
