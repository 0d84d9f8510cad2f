"""The note's assessment sentence (issue 16, point 9): the sections as the model names them."""
from types import SimpleNamespace

from decisions.note.wording import (assessment_items, assessment_sentence, join_words,
                                    note_assessment)


def test_join_words():
    assert join_words([]) == "" and join_words(["a"]) == "a"
    assert join_words(["a", "b"]) == "a and b" and join_words(["a", "b", "c"]) == "a, b and c"


def test_descriptions_in_model_order_fall_back_to_the_section_name():
    sentence = assessment_sentence(["Quality", "Interview", "Value for Money"],
                                   {"Quality": "a written Quality submission",
                                    "Interview": "an Interview process"})
    assert sentence == ("Assessment of bids was undertaken through a written Quality "
                        "submission, an Interview process and Value for Money.")


def test_a_description_of_several_lines_lists_each_and_each_phrase_once():
    items = assessment_items(["Value for Money", "Presentation", "Value for Money"],
                             {"Value for Money": "a written Quality submission\n"
                                                 "a Value for Money submission",
                              "Presentation": "an Interview process\na written Quality submission"})
    assert items == ["a written Quality submission", "a Value for Money submission",
                     "an Interview process"]


def test_no_sections_no_sentence():
    assert assessment_sentence([], {"Quality": "unused"}) is None


def test_the_note_s_lots_in_order_each_section_once():
    lots = [SimpleNamespace(sections=["Quality", "Price"]),
            SimpleNamespace(sections=["Quality", "Interview"])]
    assert note_assessment(lots, {"Price": "a price submission"}) == (
        "Assessment of bids was undertaken through Quality, a price submission and Interview.")
