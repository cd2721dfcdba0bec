"""Keyed, fuzzy-comparable encodings of respondents' phones and names."""

import pytest

from validation.checks.identifiers import dice, encode, match_names, name_tokens, phone_digits

KEY = b"test-key"


@pytest.mark.parametrize(
    "written",
    ["+7 707 123 45 67", "87071234567", "8 (707) 123-45-67", "7071234567", "+77071234567"],
)
def test_phone_formats_are_one_number(written: str) -> None:
    assert encode(KEY, phone=written).phone_hash == encode(KEY, phone="+7 707 123 4567").phone_hash


def test_phone_hash_is_keyed_and_not_the_digits() -> None:
    plain = encode(KEY, phone="+998 90 123 45 67")
    assert plain.phone_hash is not None
    assert "901234567" not in plain.phone_hash
    assert "901234567" not in "".join(plain.phone_keys)
    assert encode(b"other-key", phone="+998 90 123 45 67").phone_hash != plain.phone_hash


@pytest.mark.parametrize(
    ("other", "near"),
    [
        ("+7 707 123 45 68", True),  # last digit mistyped
        ("+7 707 132 45 67", True),  # two digits swapped
        ("+7 707 999 45 67", False),  # three digits differ: another number
    ],
)
def test_phone_one_digit_apart_shares_a_key(other: str, near: bool) -> None:
    a, b = encode(KEY, phone="+7 707 123 45 67"), encode(KEY, phone=other)
    assert a.phone_hash != b.phone_hash
    assert bool(a.phone_keys & b.phone_keys) is near


@pytest.mark.parametrize("raw", ["", "n/a", "12345", "нет"])
def test_phone_without_nine_digits_is_none(raw: str) -> None:
    assert phone_digits(raw) is None
    assert encode(KEY, phone=raw).phone_hash is None
    assert encode(KEY, phone=raw).phone_keys == frozenset()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Шерзод Каримов", "KARIMOV SHERZOD"),  # script, order, case
        ("Хуршид Рахимов", "Xurshid Raximov"),  # Uzbek Latin x for х
        ("Нурлан Жумабаев", "Nurlan Dzhumabaev"),  # passport dzh for ж
        ("Ёкубов Жасур Рустамович", "Jasur Yokubov"),  # patronymic left out, ё as e/yo
        ("Каримов Шерзод Рустам ўғли", "Sherzod Karimov"),  # Uzbek patronymic
        ("Ўткир Ғаниев", "O'tkir G'aniyev"),  # Uzbek letters and apostrophes
        ("Абдуллаев Сардор", "Sardor Abdulaev"),  # doubled letter
    ],
)
def test_spellings_of_one_name_hash_alike(a: str, b: str) -> None:
    assert encode(KEY, name=a).name_hash == encode(KEY, name=b).name_hash


def test_patronymics_are_dropped() -> None:
    assert name_tokens("Иванова Анна Сергеевна") == ["ivanova", "ana"]
    assert name_tokens("AZIZOV RUSTAM SHERALI UGHLI") == ["azizov", "rustam"]


def test_a_typo_matches_fuzzily_another_first_name_does_not() -> None:
    base = encode(KEY, name="Karimov Sherzod").name_parts
    typo = encode(KEY, name="Karimov Sherzot").name_parts
    brother = encode(KEY, name="Karimov Dilshod").name_parts
    matched = match_names(base, typo, 0.75)
    assert matched is not None
    assert (len(matched[0]), matched[1]) == (1, 1)  # surname by sound, first name by Dice
    assert match_names(base, brother, 0.75) is None


def test_shorter_name_inside_longer_matches() -> None:
    full = encode(KEY, name="Sherzod Karimov Bahodir").name_parts
    short = encode(KEY, name="Шерзод Каримов").name_parts
    matched = match_names(short, full, 0.75)
    assert matched is not None
    assert (sorted(matched[0]), matched[1]) == (sorted(k for k, _ in short), 0)


@pytest.mark.parametrize("raw", ["", "   ", "—", "123"])
def test_name_without_letters_is_none(raw: str) -> None:
    encoded = encode(KEY, name=raw)
    assert (encoded.name_hash, encoded.name_parts) == (None, ())


def test_dice_of_empty_filters_is_zero() -> None:
    assert dice(0, 0) == 0.0
    assert dice(0b1011, 0b1011) == 1.0
