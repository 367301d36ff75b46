"""knowledge.chunking, pure: chunks cut at good breaks, each with its exact offsets."""

from bots.knowledge.chunking import chunk


def _offsets_hold(text: str, size: int) -> None:
    for piece in chunk(text, size):
        assert text[piece.start : piece.end] == piece.content


def test_empty_or_blank_text_has_no_chunks() -> None:
    assert chunk("") == []
    assert chunk("  \n\n  ") == []


def test_a_short_text_is_one_chunk_without_its_surrounding_blanks() -> None:
    [piece] = chunk("  Riego por goteo.  \n")
    assert (piece.position, piece.start, piece.end, piece.content) == (0, 2, 18, "Riego por goteo.")


def test_chunks_end_at_a_paragraph_break_when_there_is_one() -> None:
    text = "Primer párrafo sobre el riego. Sigue.\n\nSegundo párrafo sobre la poda."
    pieces = chunk(text, size=50)
    assert [p.content for p in pieces] == ["Primer párrafo sobre el riego. Sigue.", "Segundo párrafo sobre la poda."]
    assert [p.position for p in pieces] == [0, 1]
    _offsets_hold(text, 50)


def test_without_a_paragraph_break_chunks_end_at_a_sentence() -> None:
    text = "Una frase corta aquí. Otra frase que sigue y sigue sin parar nunca."
    first = chunk(text, size=40)[0]
    assert first.content == "Una frase corta aquí."


def test_without_sentences_chunks_end_between_words() -> None:
    text = "palabra " * 30
    pieces = chunk(text, size=50)
    assert all(not p.content.startswith(" ") and not p.content.endswith(" ") for p in pieces)
    assert all("palabra" == word for p in pieces for word in p.content.split())
    _offsets_hold(text, 50)


def test_no_chunk_is_tiny_and_none_exceeds_the_size() -> None:
    text = ("Frase. " * 200) + ("\n\n" + "x" * 30) * 10
    pieces = chunk(text, size=100)
    assert all(len(p.content) <= 100 for p in pieces)
    assert all(len(p.content) >= 40 for p in pieces[:-1])
    _offsets_hold(text, 100)


def test_a_text_with_no_break_at_all_is_cut_at_the_size() -> None:
    pieces = chunk("a" * 250, size=100)
    assert [len(p.content) for p in pieces] == [100, 100, 50]
    assert [p.start for p in pieces] == [0, 100, 200]
