""" "Real or generated?": a round is seeded, holds one real held-out poem and one generated poem of the form."""

import pytest
import torch

from core.errors import UserError
from core.poetry.corpus import compose
from core.poetry.game import make_round
from core.poetry.model import build, config
from core.poetry.vocab import Vocab

HELDOUT = [
    "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。",
    "床前明月光，疑是地上霜。举头望明月，低头思故乡。",
    compose(["风急天高猿啸哀", "渚清沙白鸟飞回", "无边落木萧萧下", "不尽长江滚滚来"]),
]


@pytest.fixture(scope="module")
def lm():
    vocab = Vocab.build(HELDOUT * 3)
    torch.manual_seed(0)
    return build(config(len(vocab), "gru", embed_dim=16, hidden_dim=16)).eval(), vocab


def test_a_round_has_one_real_and_one_generated_poem_of_the_form(lm):
    model, vocab = lm
    seen_first = set()
    for seed in range(8):
        rnd = make_round(model, vocab, HELDOUT, "wujue", seed, gelv=False, rhyme="none")
        real = "".join(rnd.poems[rnd.real])
        assert compose(rnd.poems[rnd.real]) in HELDOUT[:2]
        assert all(len(lines) == 4 and all(len(x) == 5 for x in lines) for lines in rnd.poems)
        assert rnd.judge(rnd.real) and not rnd.judge(1 - rnd.real)
        assert real != "".join(rnd.poems[1 - rnd.real])
        seen_first.add(rnd.real)
    assert seen_first == {0, 1}  # the real poem is not always on the same side
    again = make_round(model, vocab, HELDOUT, "wujue", 3, gelv=False, rhyme="none")
    assert again == make_round(model, vocab, HELDOUT, "wujue", 3, gelv=False, rhyme="none")


def test_bad_rounds(lm):
    model, vocab = lm
    with pytest.raises(UserError) as err:
        make_round(model, vocab, HELDOUT, "wulv", 0)
    assert err.value.key == "poems.errors.game_empty"
    with pytest.raises(UserError):
        make_round(model, vocab, HELDOUT, "sonnet", 0)
    with pytest.raises(ValueError):
        make_round(model, vocab, HELDOUT, "wujue", 0, gelv=False, rhyme="none").judge(2)
