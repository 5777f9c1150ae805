"""What the Slack listeners need from the database, each a short policy-checked transaction, so a
listener never opens a session itself: books, plan requests, reviews, message links, event dedupe."""
