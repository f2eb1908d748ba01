"""The Gradio app (`make run`): wiring only. Wording and markup live in assistant.views."""

from __future__ import annotations

import os

# Before gradio is imported: no analytics, nothing fetched from a model hub.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

if __name__ == "__main__":  # a start, not a test importing build_demo
    from assistant.service import start_model

    start_model()  # the model loads while Gradio is imported (its import is most of a cold start)

import argparse
import functools
import hmac
import json
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import gradio as gr

from assistant import paths, views
from assistant.answering.dialogue import Assistant
from assistant.evaluation import score as evaluate
from assistant.feedback import REASONS, FeedbackStore
from assistant.index import store
from assistant.present import report
from assistant.present.export import conversation_markdown
from assistant.present.render import escape, to_json
from assistant.review.lint import lint
from assistant.types import Answer, ParsedList

STAFF_EXAMPLES = ["不让用户实名注册会被怎么罚？", "数据存到国外了怎么处理", "网络安全法第六十一条",
                  "传播非法信息的处罚由哪个科室承办"]
TRAINEE_EXAMPLES = ["立案以后要做什么", "当事人要求听证应当在几天内提出", "调查取证时执法人员至少要几个人",
                    "处罚决定书当事人不在场多久内送达"]
# In the browser, before anything reaches the server: the question joins the chat (escaped as the
# server escapes it) and the queue of questions sent, and the box empties. Blank sends add nothing.
QUEUE_JS = r"""
(q, history, queued) => {
  if (!q || !q.trim()) return ["", history, queued];
  // The page's own list, updated at once: a second question sent before the first's output is
  // applied still finds the first in it.
  const list = (window.qzqdQueued = window.qzqdQueued || []);
  list.push(q);
  const esc = q.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")
               .replace(/'/g, "&#x27;").replace(/([\\`*_{}\[\]()#+!|~>-])/g, "\\$1");
  return ["", [...(history || []), {role: "user", content: [{type: "text", text: esc}]}], JSON.stringify(list)];
}
"""
CLEAR_JS = "() => { window.qzqdQueued = []; return []; }"
# After a reload: the page's list becomes the restored questions, then any sent since it opened.
RESTORE_JS = r"""
(q) => {
  let saved = [];
  try { saved = JSON.parse(q || "[]"); } catch (e) { saved = []; }
  window.qzqdQueued = saved.concat(window.qzqdQueued || []);
  return JSON.stringify(window.qzqdQueued);
}
"""
# "问这一步" on an item page asks about that step in the chat: the 问答 tab is shown, the step's
# question goes into the box and is sent as if typed (the same queue and path as any question).
STEP_JS = r"""
() => {
  if (window.qzqdAskStep) return;
  window.qzqdAskStep = true;
  document.addEventListener("click", (event) => {
    const link = event.target.closest ? event.target.closest(".ask-step") : null;
    if (!link) return;
    event.preventDefault();
    const tab = [...document.querySelectorAll("button[role='tab']")].find((b) => b.textContent.trim() === "问答");
    if (tab) tab.click();
    setTimeout(() => {
      const box = document.querySelector("#question textarea");
      if (!box) return;
      box.value = link.dataset.question;
      box.dispatchEvent(new Event("input", {bubbles: true}));
      setTimeout(() => document.querySelector("#send")?.click(), 50);
    }, 100);
  });
}
"""
# The chat scrolls itself (its own autoscroll is off: it scrolled a long answer to its end after
# anything this page did): to the bottom when a question is sent, and after an answer to the answer's
# start when it is taller than the chat (理解为 and the quote first), else to the bottom.
_CHAT_SCROLL = r"""
(toAnswer) => {
  setTimeout(() => {
    const bots = document.querySelectorAll("#chat [data-testid='bot']");
    const rows = document.querySelectorAll("#chat [data-testid='bot'], #chat [data-testid='user']");
    const last = rows[rows.length - 1];
    if (!last) return;
    let box = last.parentElement;
    while (box && box !== document.body && !(box.scrollHeight > box.clientHeight
           && /(auto|scroll)/.test(getComputedStyle(box).overflowY))) box = box.parentElement;
    if (!box || box === document.body) return;
    const answer = bots[bots.length - 1];
    if (toAnswer && answer && answer.offsetHeight > box.clientHeight) {
      // 40 px down: the chat's own label sits over its first line.
      box.scrollTop += answer.getBoundingClientRect().top - box.getBoundingClientRect().top - 40;
    } else {
      box.scrollTop = box.scrollHeight;
    }
  }, 100);
}
"""
SHOW_QUESTION_JS = "() => (" + _CHAT_SCROLL.strip() + ")(false)"
SHOW_ANSWER_JS = "() => (" + _CHAT_SCROLL.strip() + ")(true)"
# The evidence panel scrolls on its own, so reading it never scrolls the chat away. A statute's
# paragraphs and items （一）（二） are lines of their text: kept as lines where it is shown.
CSS = """
#evidence-panel { max-height: 82vh; overflow-y: auto; }
#evidence-panel blockquote, #evidence-panel details p, #item-page blockquote { white-space: pre-line; }
ol.timeline { list-style: none; padding-left: 1.2em; border-left: 3px solid #9ab; }
ol.timeline li.step { position: relative; margin: 0 0 0.8em 0.6em; }
ol.timeline li.step::before { content: ""; position: absolute; left: -1.55em; top: 0.35em; width: 0.8em;
  height: 0.8em; border-radius: 50%; background: #357; }
ol.timeline li.step.odd::before { background: #c60; }
.step-head { display: block; } .differs { color: #c60; font-size: 0.85em; margin-left: 0.3em; }
.ask-step { margin-left: 8px; font-size: 0.85em; padding: 1px 8px; border: 1px solid var(--border-color-primary);
            border-radius: 10px; background: var(--background-fill-secondary); cursor: pointer; }
@media print { .ask-step { display: none; } }
@media print { .gradio-container > *:not(#item-page) { display: none; } }
@media (max-width: 640px) { #evidence-panel { max-height: 60vh; } .card th { white-space: nowrap; } }
/* On a phone the evidence sits right under the conversation, before the question box: the chat
   column's parts join the row, which then orders them. */
@media (max-width: 640px) {
  #qa-row { flex-wrap: wrap; }
  #chat-col { display: contents; }
  #chat-col > * { order: 3; flex: 1 1 100%; }
  #chat-col > #chat { order: 1; }
  #evidence-col { order: 2; flex: 1 1 100%; min-width: 0; }
  .ev-toggle-label { display: block; padding: 6px 10px; border: 1px solid var(--border-color-primary);
                     border-radius: 6px; cursor: pointer; }
  .ev-toggle-label::before { content: "▸ "; }
  .ev-toggle:checked + .ev-toggle-label::before { content: "▾ "; }
  .ev-toggle:not(:checked) ~ .ev-body { display: none; }
}
.ev-toggle { position: absolute; opacity: 0; pointer-events: none; }
@media (min-width: 641px) { .ev-toggle-label { display: none; } }
"""
MAX_TURNS = 200  # questions one conversation keeps (its state is bounded)
MAX_EVAL_QUESTIONS = 2000
MAX_EVAL_TURNS = 5000  # questions and earlier turns asked by one evaluation run
MAX_UPLOAD = 1_000_000  # bytes: a question set, not a corpus
QUEUE_SIZE = 512  # waiting room: at the 17 answers a second measured with 64 users, 512 wait about 30 s
CONCURRENCY = 2  # one answer is CPU-bound (~40 ms); two cores


def build_demo(assistant: Assistant, feedback: FeedbackStore) -> gr.Blocks:
    cat = assistant.catalogue
    choices = views.filter_choices(cat)

    list_ids = sorted(cat.sources)
    @functools.cache
    def findings(list_id: str) -> dict[str, list]:
        """A list's known defects (lint) by item, for the item pages: linted when one of its items is
        first opened, not at start-up."""
        parsed = ParsedList(cat.sources[list_id], cat.titles.get(list_id, ""),
                            tuple(i for i in cat.order if i.list_id == list_id))
        by_item: dict[str, list] = {}
        for f in lint([parsed], assistant.library):
            by_item.setdefault(f"{f.list_id}#{f.item}", []).append(f)
        return by_item

    answered: dict[tuple[str, int, str], Answer] = {}  # (conversation, position, question): asked once

    def respond(history: list[dict], queued: str, turns: list, conversation: str, scope: str | None = None
                ) -> tuple:
        """Answer every question queued in this conversation that has no answer yet, in order.

        The browser queues each question as it is sent (``QUEUE_JS``), so quick submits are never
        lost; the chat is rebuilt from the questions and their answers, whatever snapshot this
        call was given, and a question already answered is not asked twice."""
        try:
            questions = [q for q in json.loads(queued or "[]") if isinstance(q, str)]
        except ValueError:
            questions = []
        if not questions:
            # Nothing asked in this call's snapshot (the page's load, restoring nothing): change nothing.
            # Its snapshot may be older than the conversation by now (it waited behind the questions
            # sent since), so echoing it back would wipe the chat and what 👍/👎 refer to.
            return tuple(gr.skip() for _ in outputs)
        questions = questions[:MAX_TURNS]  # a conversation's state is bounded; 清空 starts anew
        turns = list(turns)
        if [q for q, _ in turns] != questions[:len(turns)]:
            turns = []  # answered from another order (a reload raced a question): answer all again
        for n, message in enumerate(questions[len(turns):], start=len(turns)):
            key = (conversation, n, message)
            answer = answered.get(key)
            if answer is None:
                asked = [m for q, a in turns for m in ({"role": "user", "content": q},
                                                       {"role": "assistant", "content": a.interpretation})]
                answer = assistant.ask(message, asked, [scope] if scope in list_ids else None)
                if len(answered) > 4096:
                    answered.pop(next(iter(answered)))
                answered[key] = answer
            turns.append((message, answer))
        if not turns:
            return (history, gr.update(), turns, *[gr.update()] * 3, {"queued": [], "conversation": conversation})
        history = [m for q, a in turns for m in ({"role": "user", "content": escape(q)},
                                                 {"role": "assistant", "content": views.answer_html(a, cat)})]
        last = turns[-1][1]
        chips = [gr.update(value=s, visible=True) for s in last.suggestions[:3]]
        chips += [gr.update(visible=False)] * (3 - len(chips))
        # Kept in the browser (localStorage): a reload asks the same questions again and gets the chat back.
        return (history, views.evidence_panel(last, cat), turns, *chips,
                {"queued": [q for q, _ in turns], "conversation": conversation})

    def clear() -> tuple:
        """Everything a conversation holds: the chat, what follow-ups refer to, the evidence, the
        chips, the export and what a rating would rate; a new conversation id for feedback."""
        fresh = uuid.uuid4().hex
        return ([], "", "[]", views.evidence_panel(None, cat), [], *[gr.update(visible=False)] * 3, None, "",
                fresh, {"queued": [], "conversation": fresh})

    def restore(saved: Any) -> tuple:
        """After a reload: the questions this browser had asked (RESTORE_JS puts any sent since
        the page opened after them), and its conversation id."""
        kept = saved if isinstance(saved, dict) else {}
        questions = [q for q in kept.get("queued") or [] if isinstance(q, str)][:MAX_TURNS]
        conversation = kept.get("conversation") if isinstance(kept.get("conversation"), str) else ""
        return json.dumps(questions, ensure_ascii=False), conversation or uuid.uuid4().hex

    def rate(turns: list, conversation: str, data: gr.LikeData) -> str:
        """One row per answer: 👍/👎 or a reason; taking the rating back deletes the row."""
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        turn = int(index) // 2
        if not 0 <= turn < len(turns):
            return ""
        if data.liked is None or data.liked == "":
            feedback.remove(conversation, turn)
            return "已撤回评价。"
        question, answer = turns[turn]
        shown = to_json(answer)
        liked = data.liked
        rating = "up" if liked is True else "down"
        reason = liked if isinstance(liked, str) and liked in REASONS else None
        feedback.add(rating=rating, reason=reason, question=question, answer=shown["answer"],
                     citations=shown["quotes"], conversation=conversation, turn=turn)
        return f"已记录对第 {turn + 1} 个回答的评价" + (f"（{reason}）" if reason else "") + "，谢谢。"

    def export(turns: list[tuple[str, Answer]]) -> str | None:
        if not turns:
            return None
        out = Path(tempfile.mkdtemp(prefix="qzqd-export-")) / "对话记录.md"
        out.write_text(conversation_markdown(turns), encoding="utf-8")
        return str(out)

    def list_items(*values: str | None) -> tuple:
        """The table, the picker's choices and a note, all from the same filters."""
        items = views.filtered(cat, dict(zip(views.filter_names(cat), values, strict=True)))
        note = "" if items else "没有符合这些条件的事项。请放宽筛选，或点“重置筛选”。"
        return (views.table_rows(cat, items),
                gr.update(choices=[(views.item_choice(cat, i), i.key) for i in items], value=None),
                note, [i.key for i in items])

    def pick_row(keys: list[str], data: gr.SelectData) -> Any:
        """A click on a table row opens that item."""
        row = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        return gr.update(value=keys[row]) if 0 <= int(row) < len(keys) else gr.update()

    def show_item(key: str | None) -> str:
        item = cat.items.get(key or "")
        if item is None:
            return ""
        return views.item_html(item, cat, assistant.library, findings(item.list_id).get(item.key, ()))

    def run_eval(upload: str | None, progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008 - Gradio's idiom
        path = Path(upload) if upload else paths.ROOT / "eval" / "questions.jsonl"
        if path.stat().st_size > MAX_UPLOAD:
            raise gr.Error(f"问题集超过 {MAX_UPLOAD // 1000} KB。")
        try:
            questions = evaluate.load_questions(path)
        except evaluate.QuestionSetError as e:
            # The message names the line; the server's upload path is not the user's business.
            raise gr.Error("问题集格式有误：" + str(e).replace(str(path), path.name)) from None
        turns_asked = sum(1 + len(q.get("turns") or []) for q in questions)
        if len(questions) > MAX_EVAL_QUESTIONS or turns_asked > MAX_EVAL_TURNS:
            raise gr.Error(f"问题集过大：{len(questions)} 题、共 {turns_asked} 轮；此处至多 {MAX_EVAL_QUESTIONS} 题、"
                           f"{MAX_EVAL_TURNS} 轮。更大的问题集请用命令行 python -m assistant eval。")
        results = []
        for n, q in enumerate(questions):
            progress((n, len(questions)), desc=f"已完成 {n} / {len(questions)} 题")
            results.append(evaluate.run_one(assistant.ask, q))
        table, chart, fails, verdict = views.eval_tables(questions, results)
        folder = Path(tempfile.mkdtemp(prefix="qzqd-eval-"))
        with (folder / "results.jsonl").open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in results)
        metrics = evaluate.score(questions, results)
        files = [folder / "results.jsonl", *report.write(folder, {"hybrid": metrics},
                                                         evaluate.failures(questions, results),
                                                         path.name, store.versions())]
        return table, chart, fails, verdict, [str(f) for f in files]

    def hit_test(text: str) -> tuple:
        """One question through retrieval alone: the ranked items and, for each, its best chunks."""
        if not (text or "").strip():
            return [], "请输入一个问题。"
        try:
            hits = assistant.retriever.search(text, 10)
        except ValueError as e:
            return [], f"无法检索：{e}"
        rows = [[n, f"{cat.label(cat.items[h.item_key])} {h.seq}".strip(), h.name, round(h.score, 3),
                 *[round(h.scores[k], 3) if k in h.scores else None for k in ("dense", "lexical")],
                 h.chunks[0].chunk.field, h.chunks[0].chunk.text[:80]] for n, h in enumerate(hits, start=1)]
        return rows, f"前 {len(rows)} 个事项（按综合得分）。"

    def api_ask(question: str, history: list[dict] | None = None, lists: list[str] | None = None) -> dict:
        """Answer one question; `history` is the conversation as {"role", "content"} messages;
        `lists` (list ids) answers from those lists only."""
        if lists is not None and not (isinstance(lists, list) and all(isinstance(x, str) for x in lists)):
            return {"error": "lists must be a list of list ids", "lists": list_ids}
        unknown = assistant.unknown_lists(lists or ())
        if unknown:
            return {"error": f"no such list: {', '.join(unknown)}", "lists": list_ids}
        return to_json(assistant.ask(question, history or [], lists or None))

    with gr.Blocks(title="权责清单助手", analytics_enabled=False) as demo:
        gr.Markdown("## 权责清单助手\n按原文回答：每个回答都是清单原文摘录，并注明出处。")
        if assistant.retriever.warning:
            gr.Markdown(f"⚠️ {assistant.retriever.warning}", elem_id="banner")
        if assistant.problems:  # the good lists are served; the bad ones are named, not hidden
            named = "\n".join(f"- {escape(p.replace(str(paths.ROOT) + '/', ''))}" for p in assistant.problems)
            gr.Markdown("⚠️ 以下清单文件未能读取，未纳入检索：\n\n" + named, elem_id="list-problems")
        turns = gr.State([])
        conversation = gr.State("")  # one per page (set on load): feedback rows are keyed by it
        queued = gr.Textbox("[]", visible=False, elem_id="queued")  # the questions sent, as typed (JSON)
        saved = gr.BrowserState({"queued": [], "conversation": ""}, storage_key="qzqd-conversation")
        with gr.Tab("问答"), gr.Row(elem_id="qa-row"):
            with gr.Column(scale=3, elem_id="chat-col"):
                chatbot = gr.Chatbot(height=480, elem_id="chat", sanitize_html=True, label="对话", autoscroll=False,
                                     buttons=["copy"], feedback_options=("Like", "Dislike", *REASONS))
                question = gr.Textbox(placeholder="输入问题，例如：不让用户实名注册会被怎么罚？",
                                      elem_id="question", label="问题", max_lines=4)
                with gr.Row():
                    send = gr.Button("发送", variant="primary", elem_id="send", scale=1)
                    clear_button = gr.Button("🗑 清空对话", elem_id="clear", scale=1)
                scope = gr.Dropdown([("全部清单", ""), *((cat.list_name(lid), lid) for lid in list_ids)],
                                    value="", label="清单", visible=len(list_ids) > 1, elem_id="scope")
                with gr.Row():
                    chips = [gr.Button(visible=False, size="sm", elem_classes="chip") for _ in range(3)]
                gr.Markdown("工作人员常问", elem_classes="examples-label")
                with gr.Row():
                    examples = [gr.Button(q, size="sm", elem_classes="example") for q in STAFF_EXAMPLES]
                gr.Markdown("培训学习", elem_classes="examples-label")
                with gr.Row():
                    examples += [gr.Button(q, size="sm", elem_classes="example") for q in TRAINEE_EXAMPLES]
                rated = gr.Markdown(elem_id="rated")
                with gr.Accordion("导出", open=False):
                    export_button = gr.Button("导出对话（Markdown）")
                    exported = gr.File(label="导出文件")
            with gr.Column(scale=2, elem_id="evidence-col"):
                evidence = gr.HTML(views.evidence_panel(None, cat), elem_id="evidence-panel")
        with gr.Tab("事项与程序"):
            with gr.Row():
                filters = [gr.Dropdown([("全部", ""), *((v, v) for v in choices[c] if v)], label=c, value="",
                                       elem_classes="filter") for c in views.filter_names(cat)]
            with gr.Row():
                reset_filters = gr.Button("重置筛选", size="sm", elem_id="reset-filters")
                no_match = gr.Markdown(elem_id="no-match")
            shown_keys = gr.State([i.key for i in cat.items.values()])
            table = gr.Dataframe(views.table_rows(cat, cat.items.values()),
                                 headers=views.item_headers(cat),
                                 interactive=False, elem_id="items-table")
            pick = gr.Dropdown([(views.item_choice(cat, i), i.key) for i in cat.items.values()],
                               label="查看事项（按名称或序号查找；也可点表格中的一行）", value=None, elem_id="pick")
            page = gr.HTML(elem_id="item-page")
        with gr.Tab("评测"):
            upload = gr.File(label="上传问题集（.jsonl，可选；默认 eval/questions.jsonl）", file_types=[".jsonl"])
            gr.Markdown("每行一个 JSON：`{\"id\", \"question\", \"gold_items\", \"gold_field\", \"must_quote\", "
                        "\"kind\", \"turns\"}`。模板见 `eval/questions.jsonl` 的任意一行，例如："
                        "`{\"id\": \"q1\", \"question\": \"不让用户实名注册会被怎么罚\", \"gold_items\": [\"72\"], "
                        "\"gold_field\": \"实施依据\", \"must_quote\": \"处五万元以上五十万元以下罚款\", "
                        "\"kind\": \"fine_amount\", \"turns\": null}`")
            with gr.Row():
                run_button = gr.Button("运行评测", elem_id="run-eval")
                stop_button = gr.Button("停止评测", elem_id="stop-eval")
            verdict = gr.Markdown(elem_id="eval-verdict")
            metrics = gr.Dataframe(label="各类问题指标（括号内为指标键名）")
            chart = gr.BarPlot(x="类别", y="值", color="指标", y_lim=[0, 1], x_label_angle=45,
                               label="各类问题：首位命中率、引文命中率、拒答正确率（0–1）")
            failures = gr.Dataframe(label="未通过的问题")
            with gr.Accordion("命中测试：一个问题的检索结果", open=False):
                probe = gr.Textbox(label="问题", elem_id="hit-question", max_lines=2)
                probe_button = gr.Button("检索", elem_id="hit-run")
                probe_note = gr.Markdown(elem_id="hit-note")
                probe_table = gr.Dataframe(headers=["名次", "事项", "名称", "综合得分", "语义 dense", "关键词 lexical",
                                                    "最佳片段字段", "最佳片段"], interactive=False, elem_id="hit-table")
            downloads = gr.File(label="下载结果（results.jsonl、report.md、report.json、chart.png）",
                                file_count="multiple", elem_id="eval-downloads")

        outputs = [chatbot, evidence, turns, *chips, saved]
        # "always_last": a question sent while answers are being made triggers one more run after
        # them, which answers everything still queued (a dropped trigger would leave it unanswered).
        answer = {"fn": respond, "inputs": [chatbot, queued, turns, conversation, scope], "outputs": outputs,
                  "api_visibility": "private", "concurrency_limit": 1, "concurrency_id": "chat",
                  "trigger_mode": "always_last"}
        # Each question is queued in the browser first (instantly, in order), then answered.
        asked = {"fn": None, "js": SHOW_QUESTION_JS, "api_visibility": "private", "queue": False}
        shown = {"fn": None, "js": SHOW_ANSWER_JS, "api_visibility": "private", "queue": False}
        for typed in (question.submit, send.click):
            typed(None, [question, chatbot, queued], [question, chatbot, queued], js=QUEUE_JS,
                  api_visibility="private", queue=False, trigger_mode="multiple").then(**asked).then(
                **answer).then(**shown)
        for button in (*chips, *examples):
            button.click(None, [button, chatbot, queued], [question, chatbot, queued], js=QUEUE_JS,
                         api_visibility="private", queue=False).then(**asked).then(**answer).then(**shown)
        for reset in (clear_button.click, chatbot.clear):  # the chat's own 🗑 resets everything too
            reset(clear, None, [chatbot, question, queued, evidence, turns, *chips, exported, rated, conversation,
                                saved], js=CLEAR_JS, api_visibility="private")
        chatbot.like(rate, [turns, conversation], rated, api_visibility="private")
        # A reload: the questions kept in this browser are queued again (the page's list too) and answered.
        demo.load(restore, saved, [queued, conversation], api_visibility="private").then(
            None, queued, queued, js=RESTORE_JS, api_visibility="private").then(**answer).then(**shown)
        demo.load(None, None, None, js=STEP_JS, api_visibility="private")
        export_button.click(export, turns, exported, api_visibility="private")
        for f in filters:
            f.change(list_items, filters, [table, pick, no_match, shown_keys], api_visibility="private")
        reset_filters.click(lambda: [""] * len(filters), None, filters, api_visibility="private")
        table.select(pick_row, shown_keys, pick, api_visibility="private")
        # The page is brought into view when an item is chosen.
        pick.change(show_item, pick, page, api_visibility="private").then(
            None, None, None, js="() => document.querySelector('#item-page')?.scrollIntoView({behavior: 'smooth'})")
        running = run_button.click(run_eval, upload, [metrics, chart, failures, verdict, downloads],
                                   api_visibility="private")
        stop_button.click(None, None, None, cancels=[running], api_visibility="private")
        for go in (probe.submit, probe_button.click):
            go(hit_test, probe, [probe_table, probe_note], api_visibility="private")
        gr.api(api_ask, api_name="ask")
    return demo


LOOPBACK = ("127.0.0.1", "localhost", "::1")


class Login:
    """``ASSISTANT_AUTH=user:password``, checked in constant time; each failure in a row makes the
    next answer wait longer (up to 5 s), so guessing is slow."""

    def __init__(self, spec: str) -> None:
        user, sep, password = spec.partition(":")
        if not sep or not user or not password:
            raise ValueError("ASSISTANT_AUTH must be user:password (both non-empty)")
        self.user, self.password = user, password
        self.failures = 0
        self._lock = threading.Lock()

    def __call__(self, user: str, password: str) -> bool:
        ok = hmac.compare_digest(user.encode(), self.user.encode()) & hmac.compare_digest(
            password.encode(), self.password.encode())
        with self._lock:
            self.failures = 0 if ok else self.failures + 1
            wait = 0.0 if ok else min(5.0, 0.5 * self.failures)
        time.sleep(wait)
        return bool(ok)


def main() -> None:
    parser = argparse.ArgumentParser(description="权责清单助手 (Gradio)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--allow-remote", action="store_true",
                        help="allow a --host other than this machine (needs ASSISTANT_AUTH=user:password)")
    parser.add_argument("--lists", action="append", default=[], metavar="PATH",
                        help="a list file or a folder of them (.xls, .xlsx, .csv, .txt; repeatable; "
                             "default corpus/lists)")
    args = parser.parse_args()
    spec = os.environ.get("ASSISTANT_AUTH")  # "user:password" turns on a login page
    try:
        login = Login(spec) if spec else None
    except ValueError as e:
        parser.error(str(e))
    if args.host not in LOOPBACK:
        if not args.allow_remote:
            parser.error(f"--host {args.host} serves the app beyond this machine; add --allow-remote "
                         "and set ASSISTANT_AUTH=user:password")
        if login is None:
            parser.error("--allow-remote needs a login: set ASSISTANT_AUTH=user:password")
        print(f"警告：应用将在 {args.host} 上对外提供服务，已启用登录。", file=sys.stderr, flush=True)
    from starlette.middleware import Middleware

    from assistant.errors import AssistantError
    from assistant.present.zh_locale import ChineseLocale
    from assistant.service import load_assistant

    print("正在加载清单与索引（首次运行会构建索引，约需一分钟）…", flush=True)
    try:
        assistant = load_assistant(lists=[Path(p) for p in args.lists] or None, lenient=True)
    except AssistantError as e:  # a bad list file, an index that cannot be written: one line
        print(f"error: {e}", file=sys.stderr)
        raise SystemExit(2) from None
    # Load the model now, not on the first user's question (the offices' duties the evidence compares
    # with are encoded by it too; a background thread doing that instead aborted short CLI runs).
    assistant.ask("网络安全", [])
    demo = build_demo(assistant, FeedbackStore(paths.data_dir() / "feedback.sqlite3"))
    demo.queue(max_size=QUEUE_SIZE, default_concurrency_limit=CONCURRENCY).launch(
        server_name=args.host, server_port=args.port, share=False, ssr_mode=False,
        enable_monitoring=False, show_error=False, max_file_size=MAX_UPLOAD, css=CSS,
        auth=login, footer_links=["api"], app_kwargs={"middleware": [Middleware(ChineseLocale)]})


if __name__ == "__main__":
    main()
