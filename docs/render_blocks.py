"""Render Block Kit JSON (a message's blocks or a modal view) to a Slack-like PNG with headless
Chromium, so a person can look at what Slack will show.

    python blockkit_render.py payload.json out.png [--width 700]

payload.json: {"blocks": [...]} (a message), {"type": "modal", ...} (a view), or a list of blocks.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

EMOJI = {
    "red_circle": "🔴", "large_orange_circle": "🟠", "orange_circle": "🟠", "large_yellow_circle": "🟡",
    "yellow_circle": "🟡", "large_green_circle": "🟢", "green_circle": "🟢", "white_circle": "⚪",
    "large_blue_circle": "🔵", "blue_circle": "🔵", "black_circle": "⚫", "warning": "⚠️", "white_check_mark": "✅",
    "heavy_check_mark": "✔️", "x": "❌", "hourglass_flowing_sand": "⏳", "hourglass": "⌛", "calendar": "📅",
    "spiral_calendar_pad": "🗓️", "chart_with_upwards_trend": "📈", "chart_with_downwards_trend": "📉",
    "bar_chart": "📊", "busts_in_silhouette": "👥", "bust_in_silhouette": "👤", "moneybag": "💰",
    "dart": "🎯", "rotating_light": "🚨", "memo": "📝", "pushpin": "📌", "round_pushpin": "📍",
    "bulb": "💡", "clipboard": "📋", "link": "🔗", "zap": "⚡", "lock": "🔒", "bell": "🔔",
    "speech_balloon": "💬", "thinking_face": "🤔", "eyes": "👀", "star": "⭐", "sparkles": "✨",
    "arrow_right": "➡️", "arrow_up": "⬆️", "arrow_down": "⬇️", "small_red_triangle": "🔺",
    "small_red_triangle_down": "🔻", "heavy_minus_sign": "➖", "checkered_flag": "🏁", "construction": "🚧",
    "large_red_square": "🟥", "large_orange_square": "🟧", "large_yellow_square": "🟨",
    "large_green_square": "🟩", "white_large_square": "⬜", "black_large_square": "⬛", "page_facing_up": "📄",
    "handshake": "🤝", "telephone_receiver": "📞", "email": "📧", "envelope": "✉️", "mag": "🔍",
    "no_entry": "⛔", "no_entry_sign": "🚫", "question": "❓", "grey_question": "❔", "information_source": "ℹ️",
    "heavy_plus_sign": "➕", "pencil2": "✏️", "gear": "⚙️", "tada": "🎉", "trophy": "🏆", "seedling": "🌱",
    "fire": "🔥", "snowflake": "❄️", "sleeping": "😴", "zzz": "💤", "alarm_clock": "⏰", "stopwatch": "⏱️",
    "arrow_double_up": "⏫", "arrow_up_small": "🔼", "outbox_tray": "📤",
    "leftwards_arrow_with_hook": "↩️", "inbox_tray": "📥",
    "small_blue_diamond": "🔹", "small_orange_diamond": "🔸", "large_blue_diamond": "🔷",
    "large_orange_diamond": "🔶", "white_small_square": "▫️", "black_small_square": "▪️",
}

CSS = """
body{font-family:'Lato','Helvetica Neue',Arial,sans-serif;font-size:15px;color:#1d1c1d;background:#fff;margin:0;padding:16px}
.msg{display:flex;gap:8px;max-width:WIDTHpx}.avatar{width:36px;height:36px;border-radius:6px;background:#4a154b;flex:none;color:#fff;font-weight:900;display:flex;align-items:center;justify-content:center}
.who{font-weight:900}.app{font-size:10px;background:#e8e8e8;border-radius:3px;padding:1px 3px;margin-left:4px;color:#616061}
.body{flex:1;min-width:0}.blk{margin:4px 0;line-height:1.46668}
.header{font-size:18px;font-weight:900;margin:8px 0 4px}
.divider{border-top:1px solid #ddd;margin:10px 0}
.context{font-size:12px;color:#616061;display:flex;gap:6px;align-items:center;flex-wrap:wrap}
.fields{display:grid;grid-template-columns:1fr 1fr;gap:6px 16px;margin-top:4px}
.section{display:flex;gap:12px;justify-content:space-between}.section .txt{flex:1}
.btn{display:inline-block;border:1px solid #bbb;border-radius:4px;padding:3px 12px;font-weight:700;font-size:13px;margin:4px 6px 0 0;background:#fff}
.btn.primary{background:#007a5a;color:#fff;border-color:#007a5a}.btn.danger{background:#fff;color:#e01e5a;border-color:#e01e5a}
code{font-family:Monaco,Menlo,monospace;font-size:12px;background:#f6f6f6;border:1px solid #e8e8e8;border-radius:3px;color:#e01e5a;padding:0 2px}
pre{font-family:Monaco,Menlo,monospace;font-size:12px;background:#f8f8f8;border:1px solid #e8e8e8;border-radius:4px;padding:8px;white-space:pre-wrap}
blockquote{border-left:4px solid #ddd;margin:0;padding-left:10px}
.mention{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 2px}a{color:#1264a3;text-decoration:none}
.modal{width:WIDTHpx;border:1px solid #ccc;border-radius:8px;box-shadow:0 4px 12px rgba(0,0,0,.15)}
.mhead{padding:14px 20px;font-size:20px;font-weight:900;border-bottom:1px solid #ddd}.mbody{padding:12px 20px}
.mfoot{padding:12px 20px;border-top:1px solid #ddd;text-align:right}
.input label{font-weight:700;display:block;margin:8px 0 4px}.input .box{border:1px solid #bbb;border-radius:4px;padding:6px;color:#888;min-height:18px}
.hint{font-size:12px;color:#616061}.image img{max-width:100%;border-radius:4px}
.notif{font-size:12px;color:#616061;border:1px dashed #ccc;padding:6px;margin-bottom:10px;max-width:WIDTHpx}
.select{display:inline-block;border:1px solid #bbb;border-radius:4px;padding:3px 10px;font-size:13px;margin:4px 6px 0 0}
"""


def mrkdwn(text: str) -> str:
    out = html.escape(text, quote=False)
    out = re.sub(r"&lt;!date\^\d+\^[^|]*\|([^&]*)&gt;", r"\1", out)
    out = re.sub(r"&lt;@([A-Z0-9]+)(?:\|([^&]*))?&gt;", lambda m: f'<span class="mention">@{m.group(2) or m.group(1)}</span>', out)
    out = re.sub(r"&lt;#([A-Z0-9]+)(?:\|([^&]*))?&gt;", lambda m: f'<span class="mention">#{m.group(2) or m.group(1)}</span>', out)
    out = re.sub(r"&lt;!(here|channel|everyone)&gt;", r'<span class="mention">@\1</span>', out)
    out = re.sub(r"&lt;(https?://[^|&]+)\|([^&]*)&gt;", r'<a href="\1">\2</a>', out)
    out = re.sub(r"&lt;(https?://[^&]+)&gt;", r'<a href="\1">\1</a>', out)
    out = re.sub(r"```(.+?)```", lambda m: f"<pre>{m.group(1)}</pre>", out, flags=re.S)
    out = re.sub(r"`([^`\n]+)`", r"<code>\1</code>", out)
    out = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"<b>\1</b>", out)
    out = re.sub(r"(?<![\w_])_([^_\n]+)_(?![\w_])", r"<i>\1</i>", out)
    out = re.sub(r"(?<![\w~])~([^~\n]+)~(?![\w~])", r"<s>\1</s>", out)
    out = re.sub(r":([a-z0-9_+\-]+):", lambda m: EMOJI.get(m.group(1), m.group(0)), out)
    lines = out.split("\n")
    lines = [f"<blockquote>{line[5:]}</blockquote>" if line.startswith("&gt; ") else line for line in lines]
    return "<br>".join(lines)


def text_of(obj: dict | None) -> str:
    if not obj:
        return ""
    if obj.get("type") == "mrkdwn":
        return mrkdwn(obj.get("text", ""))
    return re.sub(r":([a-z0-9_+\-]+):", lambda m: EMOJI.get(m.group(1), m.group(0)), html.escape(obj.get("text", "")))


def element(el: dict) -> str:
    kind = el.get("type")
    if kind == "button":
        return f'<span class="btn {el.get("style", "")}">{text_of(el.get("text"))}</span>'
    if kind in ("static_select", "external_select", "users_select", "overflow", "datepicker", "multi_static_select"):
        label = text_of(el.get("placeholder")) or text_of((el.get("initial_option") or {}).get("text")) or "⋯"
        return f'<span class="select">{label} ▾</span>'
    if kind == "image":
        return f'<img src="{el.get("image_url")}" width="20" alt="{html.escape(el.get("alt_text", ""))}">'
    if kind in ("mrkdwn", "plain_text"):
        return f"<span>{text_of(el)}</span>"
    return f"<span>[{kind}]</span>"


def block(b: dict) -> str:
    kind = b.get("type")
    if kind == "header":
        return f'<div class="blk header">{text_of(b.get("text"))}</div>'
    if kind == "divider":
        return '<div class="divider"></div>'
    if kind == "context":
        return '<div class="blk context">' + "".join(element(e) for e in b.get("elements", [])) + "</div>"
    if kind == "actions":
        return '<div class="blk">' + "".join(element(e) for e in b.get("elements", [])) + "</div>"
    if kind == "section":
        inner = f'<div class="txt">{text_of(b.get("text"))}'
        if b.get("fields"):
            inner += '<div class="fields">' + "".join(f"<div>{text_of(f)}</div>" for f in b["fields"]) + "</div>"
        inner += "</div>"
        if b.get("accessory"):
            inner += f'<div>{element(b["accessory"])}</div>'
        return f'<div class="blk section">{inner}</div>'
    if kind == "image":
        title = f'<div class="hint">{text_of(b.get("title"))}</div>' if b.get("title") else ""
        return f'<div class="blk image">{title}<img src="{b.get("image_url", "")}" alt="{html.escape(b.get("alt_text", ""))}"></div>'
    if kind == "input":
        hint = f'<div class="hint">{text_of(b.get("hint"))}</div>' if b.get("hint") else ""
        el = b.get("element", {})
        value = html.escape(str(el.get("initial_value", ""))) or text_of(el.get("placeholder"))
        return f'<div class="blk input"><label>{text_of(b.get("label"))}</label><div class="box">{value}</div>{hint}</div>'
    if kind == "markdown":
        return f'<div class="blk">{html.escape(b.get("text", ""))}</div>'
    if kind == "rich_text":
        return f'<div class="blk"><pre>{html.escape(json.dumps(b)[:400])}</pre></div>'
    return f'<div class="blk">[{kind}]</div>'


def render_html(payload: object, width: int) -> str:
    if isinstance(payload, list):
        payload = {"blocks": payload}
    assert isinstance(payload, dict)
    blocks = "".join(block(b) for b in payload.get("blocks", []))
    if payload.get("type") in ("modal", "home"):
        title = text_of(payload.get("title")) or "App Home"
        submit = f'<span class="btn primary">{text_of(payload.get("submit"))}</span>' if payload.get("submit") else ""
        close = f'<span class="btn">{text_of(payload.get("close"))}</span>' if payload.get("close") else ""
        body = f'<div class="modal"><div class="mhead">{title}</div><div class="mbody">{blocks}</div><div class="mfoot">{close}{submit}</div></div>'
    else:
        notif = f'<div class="notif">Notification: {html.escape(payload.get("text", ""))} ({len(payload.get("text", ""))} chars)</div>' if payload.get("text") is not None else ""
        body = f'{notif}<div class="msg"><div class="avatar">AP</div><div class="body"><span class="who">accountplan</span><span class="app">APP</span>{blocks}</div></div>'
    return f"<html><head><meta charset='utf-8'><style>{CSS.replace('WIDTH', str(width))}</style></head><body>{body}</body></html>"


def render_png(payload: object, out: Path, width: int = 700) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(render_html(payload, width), encoding="utf-8")
        subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--disable-background-networking", "--disable-component-update", "--no-first-run",
             f"--user-data-dir={tmp}/profile", f"--screenshot={out}", f"--window-size={width + 60},2400",
             page.as_uri()],
            check=True, capture_output=True, timeout=120,
        )
    _trim(out)
    return out


def _trim(path: Path) -> None:
    """Cut the white space below the content (Chromium screenshots the whole window)."""
    try:
        from PIL import Image, ImageChops
    except ImportError:
        return
    image = Image.open(path).convert("RGB")
    background = Image.new("RGB", image.size, (255, 255, 255))
    box = ImageChops.difference(image, background).getbbox()
    if box:
        image.crop((0, 0, image.size[0], min(image.size[1], box[3] + 16))).save(path)


if __name__ == "__main__":
    args = sys.argv[1:]
    width = 700
    if "--width" in args:
        i = args.index("--width")
        width = int(args[i + 1])
        del args[i : i + 2]
    data = json.loads(Path(args[0]).read_text())
    print(render_png(data, Path(args[1]), width))
