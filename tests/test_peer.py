"""The LangChain peer retriever, built from the optional extra, behaves like a retriever."""

import pytest

pytestmark = pytest.mark.slow


def test_peer_ranks_items_with_the_same_model(real_assistant) -> None:
    from assistant.peer import PeerRetriever

    peer = PeerRetriever(real_assistant.retriever.index, real_assistant.retriever.embedder)
    hits = peer.search("数据存到国外了怎么处理", 5)
    assert hits[0].seq == "76"
    assert len({h.item_key for h in hits}) == len(hits) == 5
    assert all(h.ranks["peer"] == n for n, h in enumerate(hits, start=1))
