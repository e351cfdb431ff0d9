"""Messages to users: rendering (Jinja2 templates) and channels (SendGrid, Twilio WhatsApp,
console). When they are sent, and tried again, is the outbox's (infrastructure/outbox/)."""
