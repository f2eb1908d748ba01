"""The retriever a team on LangChain would deploy, for side-by-side evaluation.

The Langchain-Chatchat recipe: ``BM25Retriever`` over jieba ``lcut_for_search``
tokens plus a FAISS vector store with the same embedding model (e5 prompts
included), combined by ``EnsembleRetriever`` with equal weights. Documents are
our own chunks, so the comparison isolates retrieval and fusion. Needs the
``peer`` extra (``pip install -e '.[peer]'``).
"""

from __future__ import annotations

import warnings
from typing import Any

from assistant.index.embed import Embedder
from assistant.index.store import BuiltIndex
from assistant.types import ChunkHit, ItemHit

CHUNKS_PER_QUERY = 40  # each retriever's k: enough chunks to rank every item of a list


def _embeddings(embedder: Embedder) -> Any:
    from langchain_core.embeddings import Embeddings

    class Adapter(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return embedder.encode(texts, "passage").tolist()

        def embed_query(self, text: str) -> list[float]:
            return embedder.encode([text], "query")[0].tolist()

    return Adapter()


class PeerRetriever:
    """Same ``search(query, k) -> list[ItemHit]`` contract as ``Retriever``."""

    warning: str | None = None
    mode = "peer"

    def __init__(self, index: BuiltIndex, embedder: Embedder) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import jieba
            from langchain_classic.retrievers import EnsembleRetriever
            from langchain_community.retrievers import BM25Retriever
            from langchain_community.vectorstores import FAISS
            from langchain_core.documents import Document

        self.index = index
        self.embedder = embedder
        docs = [Document(page_content=c.text, metadata={"row": n}) for n, c in enumerate(index.chunks)]
        bm25 = BM25Retriever.from_documents(docs, preprocess_func=jieba.lcut_for_search, k=CHUNKS_PER_QUERY)
        store = FAISS.from_documents(docs, _embeddings(embedder))
        dense = store.as_retriever(search_kwargs={"k": CHUNKS_PER_QUERY})
        # Deduplicate by document, not by text: identical boilerplate clauses of
        # different items must not pool their scores.
        self.ensemble = EnsembleRetriever(retrievers=[bm25, dense], weights=[0.5, 0.5], id_key="row")

    def search(self, query: str, k: int = 5) -> list[ItemHit]:
        docs = self.ensemble.invoke(query)
        hits: dict[str, ItemHit] = {}
        for rank, doc in enumerate(docs, start=1):
            chunk = self.index.chunks[doc.metadata["row"]]
            if chunk.item_key in hits:
                continue
            score = 1.0 / rank
            hits[chunk.item_key] = ItemHit(
                item_key=chunk.item_key, seq=chunk.seq, name=self.index.names[chunk.item_key], score=score,
                scores={"peer": score}, ranks={"peer": len(hits) + 1},
                chunks=(ChunkHit(chunk, score, {"peer": score}, {"peer": rank}),))
        return list(hits.values())[:k]
