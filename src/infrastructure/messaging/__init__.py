"""Messages to users: rendering, channels (SendGrid, Twilio WhatsApp, console) and the
dispatcher that delivers the outbox."""
