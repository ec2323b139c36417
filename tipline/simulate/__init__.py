"""The terminal phone and the Twilio test doubles.

- ``call.CallSimulator`` plays a voice call the way Twilio's voice engine does (signed webhooks, TwiML verbs);
- ``sms.SmsSimulator`` texts the line the way Twilio's messaging webhooks do;
- ``caller`` holds the scripted and interactive callers and the script token language;
- ``fake_twilio_api.FakeTwilioApi`` is a local REST API for the real ``twilio`` client;
- ``tipline.twilio_client.twilio_client_for`` points that client at ``TWILIO_API_URL``;
- ``transport`` reaches the application over HTTP or through a Flask test client;
- ``cli.simulate`` is ``tipline simulate call|sms``.
"""
