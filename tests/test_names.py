import pytest

from kb.names import display_name, name_key, parse_name, split_name_list


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Jakub Kulhanek", {"family": "Kulhanek", "given": "Jakub"}),
        ("Kulhanek, Jakub", {"family": "Kulhanek", "given": "Jakub"}),
        ("Ludwig van Beethoven", {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"}),
        ("de la Fuente, Juan", {"family": "Fuente", "given": "Juan", "non-dropping-particle": "de la"}),
        ("Juan de la Fuente", {"family": "Fuente", "given": "Juan", "non-dropping-particle": "de la"}),
        ("Smith, Jr., John", {"family": "Smith", "given": "John", "suffix": "Jr."}),
        ("John Smith Jr.", {"family": "Smith", "given": "John", "suffix": "Jr."}),
        ("Smith, John, III", {"family": "Smith", "given": "John", "suffix": "III"}),
        ("{North Atlantic Treaty Organization}", {"literal": "North Atlantic Treaty Organization"}),
        ("North Atlantic Treaty Organization", {"literal": "North Atlantic Treaty Organization"}),
        ("Atlantic Council", {"literal": "Atlantic Council"}),
        ("NATO", {"literal": "NATO"}),
        ("Plato", {"family": "Plato"}),
    ],
)
def test_parse_name(text, expected):
    assert parse_name(text) == expected


def test_corporate_can_be_forced_either_way():
    assert parse_name("Jane Council", corporate=False) == {"family": "Council", "given": "Jane"}
    assert parse_name("Jane Doe", corporate=True) == {"literal": "Jane Doe"}


def test_name_lists_respect_braces():
    assert split_name_list("Smith, John and {Barnes and Noble} and Jane Doe") == [
        "Smith, John",
        "{Barnes and Noble}",
        "Jane Doe",
    ]
    assert split_name_list("Smith, John; Doe, Jane") == ["Smith, John", "Doe, Jane"]


def test_name_lists_keep_every_letter_after_a_letter_that_lowers_to_two():
    # "İ" lowers to "i" + a combining dot: the split must not take its index from the
    # lowered text (it cut the S of Stoilova in jgrey's corpus).
    assert split_name_list("{Şengül-İnal}, Gülbin and Stoilova, Mariya AND Doe, Jane") == [
        "{Şengül-İnal}, Gülbin",
        "Stoilova, Mariya",
        "Doe, Jane",
    ]


def test_display_and_keys_fold_accents_and_order():
    assert display_name({"family": "Fuente", "given": "Juan", "non-dropping-particle": "de la"}) == "de la Fuente, Juan"
    assert name_key({"family": "Kulhánek", "given": "Jakub"}) == name_key(parse_name("Kulhanek, Jakub"))
    assert name_key({"literal": "NATO"}) != name_key({"family": "NATO"})
