"""The poem model: shapes, every cell type, config validation, save/load with weights_only."""

import io

import pytest
import torch

from core import artifacts
from core.errors import UserError
from core.poetry.model import CELLS, build, config, parameter_count
from core.poetry.train import load_model, make_checkpoint
from core.poetry.vocab import Vocab

POEMS = ["床前明月光，疑是地上霜。举头望明月，低头思故乡。", "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"]


@pytest.mark.parametrize("cell", CELLS.names())
@pytest.mark.parametrize("tied", [False, True])
def test_shapes_and_stepwise_equals_full(cell, tied):
    torch.manual_seed(0)
    model = build(config(50, cell, embed_dim=16, hidden_dim=32, num_layers=2, tied=tied)).eval()
    tokens = torch.randint(0, 50, (3, 7))
    full = model(tokens)
    assert full.shape == (3, 7, 50)
    state, steps = None, []
    for t in range(7):
        logits, state = model.step(tokens[:, t : t + 1], state)
        steps.append(logits)
    torch.testing.assert_close(torch.cat(steps, 1), full)
    assert isinstance(model.rnn, CELLS.get(cell).module)


def test_tied_output_shares_the_embedding():
    model = build(config(100, "gru", embed_dim=16, hidden_dim=64, tied=True))
    assert model.head.weight is model.embed.weight
    untied = build(config(100, "gru", embed_dim=16, hidden_dim=64))
    assert parameter_count(model) < parameter_count(untied)


def test_config_validation():
    with pytest.raises(UserError):
        config(50, "transformer")
    with pytest.raises(UserError):
        config(50, "gru", hidden_dim=0)
    with pytest.raises(ValueError):
        config(50, "gru", width=3)
    with pytest.raises(ValueError):
        build({"kind": "cnn"})


@pytest.mark.parametrize("half", [False, True])
def test_save_and_load_round_trip(half):
    vocab = Vocab.build(POEMS)
    torch.manual_seed(1)
    model = build(config(len(vocab), "lstm", embed_dim=16, hidden_dim=16, tied=True)).eval()
    buffer = io.BytesIO()
    artifacts.save(make_checkpoint(model, vocab, {"metrics": {"heldout_ppl": 1.0}}, half=half), buffer)
    loaded, vocab2, meta = load_model(buffer.getvalue())
    assert vocab2.tokens == vocab.tokens and meta["metrics"] == {"heldout_ppl": 1.0}
    tokens = torch.tensor([vocab.encode(POEMS[0])])
    torch.testing.assert_close(loaded(tokens), model(tokens), atol=1e-2 if half else 1e-6, rtol=1e-2 if half else 1e-6)


def test_load_rejects_files_without_a_matching_vocabulary():
    vocab = Vocab.build(POEMS)
    model = build(config(len(vocab), "gru", embed_dim=16, hidden_dim=16))
    ckpt = make_checkpoint(model, vocab, {})
    ckpt["meta"]["vocab"] = ckpt["meta"]["vocab"][:-1]
    with pytest.raises(UserError):
        load_model(artifacts.to_bytes(ckpt))
    with pytest.raises(UserError):
        load_model(b"not a model")
