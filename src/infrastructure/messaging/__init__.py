"""Messages to users: rendering, senders (SendGrid, Twilio WhatsApp, console) and the
dispatcher that delivers the outbox."""
