"""Text composer of the demo generator: turns the facts drawn for one row (channel, polarity, topics, cue, slot
values) into the review, email, chat, call note or survey answer a customer would write, in English or Chinese."""
from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType, ModuleType
from typing import NamedTuple

from analytics.demo import phrases, phrases_zh

# What a text can be about. The generator draws each row's topics with weights in this order.
TOPICS: tuple[str, ...] = ("delivery", "price", "quality", "support", "returns", "app", "product")


class _Picker:
    """Consumes one row of pre-drawn uniforms, so text composition stays deterministic and fast."""

    __slots__ = ("draw",)

    def __init__(self, u: list[float]) -> None:
        self.draw = itertools.cycle(u).__next__

    def pick(self, seq: tuple[str, ...]) -> str:
        return seq[int(self.draw() * len(seq))]

    def chance(self, p: float) -> bool:
        return self.draw() < p


class Style(NamedTuple):
    """How one language writes: the composer is the same for all, only these pieces differ (English capitalises
    and puts spaces between sentences, Chinese ends them with 。 and writes them on without a space)."""

    phrases: ModuleType
    space: str  # between the sentences of a text
    full_stop: str
    comma: str
    capitalise: Callable[[str], str]  # the start of a sentence
    lower: Callable[[str], str]  # a chat turn, a phone sentence's start, the category inside a clause
    add_typos: Callable[[str, int, _Picker], str]


class Spec(NamedTuple):
    """What one row's text says, as the generator drew it; ``slots`` fills the phrases' {product}, {days}, …"""

    style: Style
    channel: str
    polarity: str  # neg, neu, mixed or pos
    dominant: str  # the polarity that wins in a mixed text
    topic: str
    second_topic: str  # the other half of a mixed text
    strong: bool  # a 1- or 5-star rating
    cue: str  # "", "missed" or "met"
    sarcastic: bool
    underperforming: bool
    category: str  # English key
    slots: dict


def write_text(spec: Spec, uniforms: list[float], typo_count: int) -> str:
    """The text of one row: composed for its channel from its own pre-drawn ``uniforms``, then given
    ``typo_count`` typos with the draws left over (so a text without typos reads the same either way)."""
    pick = _Picker(uniforms)
    text = _COMPOSERS[spec.channel](spec, pick)
    return spec.style.add_typos(text, typo_count, pick) if typo_count else text


def _fill(template: str, spec: Spec) -> str:
    """Fill the slots of a phrase; after the first mention the product goes by its short name."""
    text = template.format(**spec.slots)
    if "{product}" in template:
        spec.slots["product"] = spec.slots["short"]
    return text


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _clause(topic: str, polarity: str, spec: Spec, pick: _Picker) -> str:
    tables = spec.style.phrases
    if topic == "product":
        bank = tables.PRODUCT_NEUTRAL if polarity == "neu" else tables.PRODUCT_CLAUSES[spec.category][polarity]
    else:
        bank = tables.CLAUSES[topic][polarity]
    return _fill(pick.pick(bank), spec)


def _core_sentences(spec: Spec, pick: _Picker, count: int) -> list[str]:
    """The body of a text: ``count`` sentences about the row's topics in the row's polarity."""
    style = spec.style
    if spec.polarity == "mixed":
        other = "pos" if spec.dominant == "neg" else "neg"
        first = (style.capitalise(_clause(spec.second_topic, other, spec, pick))
                 + pick.pick(style.phrases.CONNECTORS) + _clause(spec.topic, spec.dominant, spec, pick)
                 + style.full_stop)
        follow_polarity = "neu"
    elif spec.sarcastic:
        first = _fill(pick.pick(style.phrases.SARCASM[spec.topic]), spec)
        follow_polarity = "neg"
    else:
        first = style.capitalise(_clause(spec.topic, spec.polarity, spec, pick)) + style.full_stop
        follow_polarity = spec.polarity
    sentences = [first]
    for _ in range(count - 1):
        topic = spec.topic if pick.chance(0.55) else TOPICS[int(pick.draw() * len(TOPICS))]
        sentence = style.capitalise(_clause(topic, follow_polarity, spec, pick)) + style.full_stop
        if sentence not in sentences:
            sentences.append(sentence)
    if spec.cue:
        sentences.insert(1, _cue_sentence(spec, pick))
    return sentences


def _cue_sentence(spec: Spec, pick: _Picker) -> str:
    tables = spec.style.phrases
    if spec.cue == "missed" and spec.underperforming and pick.chance(0.7):
        return _fill(pick.pick(tables.CLAIM_CUES), spec)
    return _fill(pick.pick(tables.CUES[spec.topic][spec.cue]), spec)


def _closer_polarity(spec: Spec) -> str:
    return spec.dominant if spec.polarity == "mixed" else spec.polarity


def _review_text(spec: Spec, pick: _Picker) -> str:
    pol, tables = _closer_polarity(spec), spec.style.phrases
    if not spec.cue and spec.polarity != "mixed" and pick.chance(0.12):
        parts = [pick.pick(tables.ONE_LINERS[pol])]
        if pick.chance(0.3):
            parts.append(pick.pick(tables.REVIEW_CLOSERS[pol]))
        return spec.style.space.join(parts)
    parts = [_fill(pick.pick(tables.REVIEW_OPENERS), spec)] if pick.chance(0.3) else []
    parts += _core_sentences(spec, pick, pick.pick((1, 1, 2, 2, 3, 4)))
    if pick.chance(0.6 if spec.strong else 0.25):
        parts.append(pick.pick(tables.REVIEW_CLOSERS[pol]))
    return spec.style.space.join(parts)


def _email_text(spec: Spec, pick: _Picker) -> str:
    pol, tables = _closer_polarity(spec), spec.style.phrases
    parts = [pick.pick(tables.EMAIL_GREETINGS), _fill(pick.pick(tables.EMAIL_CONTEXT), spec)]
    if pick.chance(0.5):
        parts.append(_fill(pick.pick(tables.EMAIL_BACKGROUND), spec))
    parts += _core_sentences(spec, pick, pick.pick((2, 3, 3, 4, 5)))
    parts.append(pick.pick(tables.EMAIL_REQUESTS[pol]))
    parts.append(_fill(pick.pick(tables.EMAIL_SIGNOFFS), spec))
    return spec.style.space.join(parts)


def _chat_turn(sentence: str, style: Style) -> str:
    return style.phrases.SPEAKERS["customer"] + style.lower(sentence.rstrip(style.full_stop))


def _chat_text(spec: Spec, pick: _Picker) -> str:
    pol, style = _closer_polarity(spec), spec.style
    turns = [_chat_turn(_fill(pick.pick(style.phrases.CHAT_OPENERS), spec), style)]
    if pick.chance(0.7):
        turns.append(style.phrases.SPEAKERS["agent"] + pick.pick(style.phrases.CHAT_AGENT["greet"]))
    turns += [_chat_turn(s, style) for s in _core_sentences(spec, pick, pick.pick((1, 2, 2, 3)))]
    if pick.chance(0.6):
        turns.append(style.phrases.SPEAKERS["agent"] + pick.pick(style.phrases.CHAT_AGENT[pol]))
    if pick.chance(0.7):
        turns.append(_chat_turn(pick.pick(style.phrases.CHAT_CLOSERS[pol]), style))
    return " | ".join(turns)


def _phone_text(spec: Spec, pick: _Picker) -> str:
    pol, style, tables = _closer_polarity(spec), spec.style, spec.style.phrases
    sentences = _core_sentences(spec, pick, pick.pick((1, 2, 3)))
    speech = [pick.pick(tables.PHONE_STARTS)]
    for sentence in sentences:
        if pick.chance(0.5):
            speech.append(pick.pick(tables.PHONE_FILLERS) + style.comma)
        keep = sentence.startswith(("I ", "I'"))
        speech.append(sentence if keep else style.lower(sentence[:1]) + sentence[1:])
    turns = [tables.SPEAKERS["caller"] + style.space.join(speech)]
    if pick.chance(0.6):
        turns.append(tables.SPEAKERS["agent"] + pick.pick(tables.PHONE_AGENT))
        turns.append(tables.SPEAKERS["caller"] + pick.pick(tables.PHONE_CLOSERS[pol]) + style.full_stop)
    if pick.chance(0.5):
        turns.append(pick.pick(tables.PHONE_NOTES[pol]))
    return " | ".join(turns)


def _survey_text(spec: Spec, pick: _Picker) -> str:
    pol, style = _closer_polarity(spec), spec.style
    if not spec.cue and spec.polarity != "mixed" and pick.chance(0.3):
        fragment = style.capitalise(pick.pick(style.phrases.SURVEY_FRAGMENTS[spec.topic][pol]))
        return fragment + (style.full_stop if pick.chance(0.5) else "")
    return style.space.join(_core_sentences(spec, pick, pick.pick((1, 1, 1, 2))))


_COMPOSERS: Mapping[str, Callable[[Spec, _Picker], str]] = MappingProxyType({
    "review": _review_text, "email": _email_text, "chat": _chat_text, "phone": _phone_text, "survey": _survey_text,
})
_WORD = re.compile(r"[A-Za-z]{4,}")


def _add_typos(text: str, count: int, pick: _Picker) -> str:
    """Swap two adjacent, different letters inside ``count`` words of four letters or more."""
    for _ in range(count):
        # People mistype common words, not the names they copy from the order page.
        words = [m for m in _WORD.finditer(text) if m.group()[0].islower()]
        if not words:
            break
        match = words[int(pick.draw() * len(words))]
        word = match.group()
        spots = [i for i in range(len(word) - 1) if word[i] != word[i + 1]]
        if not spots:
            continue
        i = spots[int(pick.draw() * len(spots))]
        swapped = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        text = text[:match.start()] + swapped + text[match.end():]
    return text


_HOMOPHONE_WORDS = re.compile("|".join(sorted(phrases_zh.HOMOPHONE_TYPOS, key=len, reverse=True)))
_HOMOPHONE_CHARACTERS = re.compile("|".join(phrases_zh.CHARACTER_TYPOS))
_SLIPS = {**phrases_zh.CHARACTER_TYPOS, **phrases_zh.HOMOPHONE_TYPOS}


def _add_homophone_typos(text: str, count: int, pick: _Picker) -> str:
    """Replace ``count`` common words by the homophone an input method offers for them (已经 → 以经), or where
    the text has none of those words, a character by its usual slip (做得 → 做的)."""
    slipped: set[int] = set()  # a second slip never lands on the first (得 → 的 would undo 真的 → 真得)
    for _ in range(count):
        words, characters = ([m for m in pattern.finditer(text) if slipped.isdisjoint(range(*m.span()))]
                             for pattern in (_HOMOPHONE_WORDS, _HOMOPHONE_CHARACTERS))
        spots = words or characters
        if not spots:
            break
        match = spots[int(pick.draw() * len(spots))]
        text = text[:match.start()] + _SLIPS[match.group()] + text[match.end():]  # same length: spans stay put
        slipped.update(range(*match.span()))
    return text


STYLES: Mapping[str, Style] = MappingProxyType({
    "en": Style(phrases, space=" ", full_stop=".", comma=",", capitalise=_capitalise, lower=str.lower,
                add_typos=_add_typos),
    # Chinese has no case: str leaves a string as it is (and keeps "HEPA" or "4K" in a name upper case).
    "zh": Style(phrases_zh, space="", full_stop="。", comma="，", capitalise=str, lower=str,
                add_typos=_add_homophone_typos),
})
