"""The adapter between Twilio and the flow engine: state per call or conversation, effects, TwiML."""
