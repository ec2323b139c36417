"""What a script may name: languages, voices, effects, flags, built-in variables.

These tables are the validator's ground truth. A supervisor who mistypes a voice, an effect or a flag gets an
error from `tipline scripts check` instead of a call that fails at 3 a.m.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

LANGS: tuple[str, ...] = ("fr", "en")
"""Script languages, French first. `FlowState.lang` is one of these, or None before the caller chose."""

DEFAULT_LANG = "fr"

# BCP-47 tags a script may use, per script language.
LANGUAGE_TAGS: Mapping[str, frozenset[str]] = {
    "fr": frozenset({"fr-CA", "fr-FR"}),
    "en": frozenset({"en-CA", "en-US", "en-GB"}),
}

# Twilio <Say> voices known to speak a locale. Amazon Polly has no Canadian-English voice, so English prompts
# are spoken with an en-US or en-GB voice while <Gather> still listens with `speech_language: en-CA`.
# Sources: Twilio's text-to-speech voice list and Amazon Polly's "Available voices" table.
_POLLY_FR_CA = ("Chantal", "Gabrielle", "Gabrielle-Neural", "Gabrielle-Generative", "Liam-Neural")
_POLLY_FR_FR = ("Celine", "Lea", "Lea-Neural", "Lea-Generative", "Mathieu", "Remi-Neural", "Remi-Generative")
_POLLY_EN_US = (
    "Joanna",
    "Joanna-Neural",
    "Joanna-Generative",
    "Matthew",
    "Matthew-Neural",
    "Matthew-Generative",
    "Salli",
    "Salli-Neural",
    "Kendra",
    "Kendra-Neural",
    "Kimberly",
    "Kimberly-Neural",
    "Ivy",
    "Ivy-Neural",
    "Joey",
    "Joey-Neural",
    "Justin",
    "Justin-Neural",
    "Kevin-Neural",
    "Ruth-Neural",
    "Ruth-Generative",
    "Stephen-Neural",
    "Stephen-Generative",
    "Danielle-Neural",
    "Danielle-Generative",
    "Gregory-Neural",
)
_POLLY_EN_GB = (
    "Amy",
    "Amy-Neural",
    "Amy-Generative",
    "Emma",
    "Emma-Neural",
    "Brian",
    "Brian-Neural",
    "Arthur-Neural",
)


def _google(locale: str, letters: str) -> tuple[str, ...]:
    return tuple(
        f"Google.{locale}-{family}-{letter}" for family in ("Standard", "Wavenet", "Neural2") for letter in letters
    )


VOICES: Mapping[str, frozenset[str]] = {
    "fr-CA": frozenset(
        (*(f"Polly.{v}" for v in _POLLY_FR_CA), *_google("fr-CA", "ABCD")),
    ),
    "fr-FR": frozenset(
        (*(f"Polly.{v}" for v in _POLLY_FR_FR), *_google("fr-FR", "ABCDE"), "man", "woman"),
    ),
    "en-US": frozenset(
        (*(f"Polly.{v}" for v in _POLLY_EN_US), *_google("en-US", "ABCDEFGHIJ"), "man", "woman"),
    ),
    "en-GB": frozenset(
        (*(f"Polly.{v}" for v in _POLLY_EN_GB), *_google("en-GB", "ABCDF"), "man", "woman"),
    ),
    "en-CA": frozenset(),
}

DTMF_KEYS = frozenset("0123456789*#")


@dataclass(frozen=True)
class EffectSpec:
    """An effect the adapter knows how to run, its arguments and the results it feeds back."""

    required_args: frozenset[str]
    optional_args: frozenset[str]
    results: frozenset[str]
    # data keys (besides "result") the adapter returns on success; they become state variables.
    produces: frozenset[str]


EFFECTS: Mapping[str, EffectSpec] = {
    "create_tip": EffectSpec(
        required_args=frozenset({"channel", "anonymous"}),
        optional_args=frozenset({"recording_url", "text"}),
        results=frozenset({"ok", "error"}),
        produces=frozenset({"reference", "pin"}),
    ),
    "verify_followup": EffectSpec(
        required_args=frozenset({"code", "pin"}),
        optional_args=frozenset(),
        results=frozenset({"ok", "bad_code", "bad_pin", "locked", "error"}),
        produces=frozenset({"followup_token"}),
    ),
    "append_followup": EffectSpec(
        required_args=frozenset({"token"}),
        optional_args=frozenset({"recording_url", "text"}),
        results=frozenset({"ok", "error"}),
        produces=frozenset(),
    ),
    "send_resources_sms": EffectSpec(
        required_args=frozenset({"categories"}),
        optional_args=frozenset(),
        results=frozenset({"ok", "unavailable", "error"}),
        produces=frozenset(),
    ),
    "mark_flag": EffectSpec(
        required_args=frozenset({"flag"}),
        optional_args=frozenset(),
        results=frozenset({"ok", "error"}),
        produces=frozenset(),
    ),
}

# Arguments the engine adds to every Effect; a script may not set them.
ENGINE_EFFECT_ARGS = frozenset({"lang", "sms_body"})

# An effect that reaches the caller's phone: the engine refuses to emit it unless this variable is "yes",
# and the validator requires every way into it to be a menu option that sets it.
CONSENT_EFFECTS: Mapping[str, str] = {"send_resources_sms": "sms_consent"}

FLAGS = frozenset(
    {
        "danger",  # the caller says they are in danger or need help now
        "minor",  # a person under 18 is involved
        "talk",  # the caller asked for a human
        "tip",  # the caller is leaving information
        "anonymous",  # the caller chose anonymity: the adapter must store no caller ID
        "followup",  # the caller follows up on an earlier tip
        "resources",  # the caller asked for help resources
        "locked",  # follow-up refused: too many wrong codes or PINs
        "no_response",  # set by the engine: a node gave up after silence (a silent caller may be unsafe)
        "unclear",  # set by the engine: a node gave up after input it could not understand
        "failed",  # set by the engine/script: an effect failed and the caller was sent to a human
    }
)

# Variables every script may use without producing them.
BUILTIN_VARS = frozenset({"org_name", "heard", "lang"})

# Template filters: `{reference|digits}` speaks a number digit by digit.
FILTERS = frozenset({"digits", "phone"})

# Words a text message must never contain (someone else may read the phone).
SMS_SENSITIVE_WORDS: tuple[str, ...] = (
    "police",
    "policier",
    "policiere",
    "spvm",
    "exploitation",
    "exploite",
    "exploitee",
    "traite",
    "trafficking",
    "trafficked",
    "traffic",
    "prostitution",
    "proxenete",
    "proxenetisme",
    "pimp",
    "sexuel",
    "sexuelle",
    "sexual",
    "sexe",
    "sex",
    "victime",
    "victim",
    "signalement",
    "denonciation",
)
