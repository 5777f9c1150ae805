"""What the Slack listeners need from the database, each in one short transaction, so a listener
never opens a session itself: books, plan requests, reviews, message links, event dedupe, and the
look-ups the authorization gate makes (`access`). Functions taking a plan id are reached through
the gate, which has already applied the policy; the rest check it themselves."""
