"""Sending and rendering customer and store messages: templates, providers (Twilio, SendGrid, log)."""
