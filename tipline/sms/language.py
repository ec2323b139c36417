"""French or English, guessed from a first text message.

Why in-house and not a library: the line only ever needs to tell French from English in short, informal texts
(« jai 15 ans », "im 15 hes not letting me go"), and a wrong guess costs little (the reply says how to switch,
and EN/FR works at any time). General detectors (langdetect, fastText's lid.176, lingua) know a hundred
languages, weigh from a few to tens of megabytes or need model files, and are the least reliable exactly on
texts of a few words. Two lists of frequent words — including Québec spellings without apostrophes or
accents — plus French accents decide well enough, in microseconds, with nothing to download or keep up to date.
"""

from __future__ import annotations

import re
import unicodedata


def _wordset(listed: str) -> frozenset[str]:
    return frozenset(listed.split())


# Frequent words of one language that are not (or rarely) words of the other. Words both languages write the
# same way ("me" as in « il me laisse », "a", "on", "son", "plus", "pour"…) are left out on purpose.
FRENCH_WORDS = _wordset(
    """
    je j jai jsuis chu suis tu il elle ils elles nous vous on est cest sont etre avoir ai as avons avez ont
    le la les un une des du au aux ce cet cette ces mon ma mes ton ta tes sa ses notre votre leur leurs
    et ou mais donc car ni que qui quoi quand comment pourquoi ou dans sur sous avec sans chez vers entre
    pas ne plus rien jamais toujours tres trop peu beaucoup aussi encore deja
    oui non merci bonjour bonsoir salut allo svp stp sil vous plait
    aide aidez aider besoin peur veux veut peux peut faut fait faire dit dire sais sait vais va aller
    laisse laisser partir sortir maison ici la-bas ans mere pere ami amie chum blonde gars fille filles
    quelquun quelque chose personne parler ecrire appeler rue pres avant apres maintenant ce soir nuit
    ya pis pcq parce mais moi toi lui eux mes
    """
)
ENGLISH_WORDS = _wordset(
    """
    i im ive id ill my mine you your youre he hes she shes they theyre we were our them his her its it's
    is are was be been being am have has had do does did dont doesnt didnt cant wont not no yes
    the and or but so because if when where what who why how which with without from into about at by
    of to for this that these those there here now then please thanks thank hello hi hey
    help need scared afraid want wants can could should would let lets letting leave go going home
    someone somebody anyone person talk write call street near before after tonight night years old
    mom dad friend boyfriend girlfriend guy girl girls man know tell told said
    """
)
_FRENCH_LETTERS = frozenset("éèêëàâîïôûùüçœÉÈÊËÀÂÎÏÔÛÙÜÇŒ")
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
MIN_MARGIN = 1


def _bare(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def language_scores(text: str) -> tuple[int, int]:
    """(French score, English score): one point a known word, one point a French accented letter."""
    french = sum(1 for c in text if c in _FRENCH_LETTERS)
    english = 0
    for token in _WORD.findall(_bare(text)):
        parts = [token, token.replace("'", ""), *token.split("'")]
        if any(part in FRENCH_WORDS for part in parts):
            french += 1
        elif any(part in ENGLISH_WORDS for part in parts):
            english += 1
    return french, english


def detect_language(text: str) -> str | None:
    """ "fr", "en", or None when the text does not say (the line then answers in French, offering English)."""
    french, english = language_scores(text)
    if french - english >= MIN_MARGIN:
        return "fr"
    if english - french >= MIN_MARGIN:
        return "en"
    return None
