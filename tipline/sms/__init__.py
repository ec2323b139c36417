"""SMS conversations: one per sender, language detection, keywords, reply limits, dispatcher replies.

The SMS flow itself is the flow engine's (``ivr_scripts/sms.yaml``); its adapter is ``tipline/ivr/sms.py``.
"""
