"""The Gradio app (`make run`): wiring only. Wording and markup live in assistant.views."""

from __future__ import annotations

import os

# Before gradio is imported: no analytics, nothing fetched from a model hub.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import argparse
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr

from assistant import paths, views
from assistant.answering.dialogue import Assistant
from assistant.evaluation import score as evaluate
from assistant.feedback import REASONS, FeedbackStore
from assistant.present.export import conversation_markdown
from assistant.present.render import escape, to_json
from assistant.types import Answer

STAFF_EXAMPLES = ["不让用户实名注册会被怎么罚？", "数据存到国外了怎么处理", "网络安全法第六十一条",
                  "传播非法信息的处罚由哪个科室承办"]
TRAINEE_EXAMPLES = ["立案以后要做什么", "当事人要求听证应当在几天内提出", "调查取证时执法人员至少要几个人",
                    "处罚决定书当事人不在场多久内送达"]
MAX_UPLOAD = 1_000_000  # bytes: a question set, not a corpus
QUEUE_SIZE = 32
CONCURRENCY = 2  # one answer is CPU-bound (~40 ms); two cores


def build_demo(assistant: Assistant, feedback: FeedbackStore) -> gr.Blocks:
    cat = assistant.catalogue
    choices = views.filter_choices(cat)

    list_ids = sorted(cat.sources)

    def respond(message: str, history: list[dict], turns: list, scope: str | None = None) -> tuple:
        # The assistant reads the questions as typed (kept in `turns`); the chat shows them escaped.
        asked = [m for q, a in turns for m in ({"role": "user", "content": q},
                                               {"role": "assistant", "content": a.interpretation})]
        answer = assistant.ask(message, asked, [scope] if scope in list_ids else None)
        history = [*history, {"role": "user", "content": escape(message)},
                   {"role": "assistant", "content": views.answer_html(answer, cat)}]
        chips = [gr.update(value=s, visible=True) for s in answer.suggestions[:3]]
        chips += [gr.update(visible=False)] * (3 - len(chips))
        return (history, "", views.evidence_html(answer, cat), [*turns, (message, answer)], *chips)

    def rate(rating: str, reason: str | None, comment: str, turns: list) -> str:
        if not turns:
            return "还没有可以评价的回答。"
        question, answer = turns[-1]
        data = to_json(answer)
        feedback.add(rating="up" if rating == "👍" else "down", reason=reason, comment=comment or "",
                     question=question, answer=data["answer"], citations=data["quotes"])
        return "已记录，谢谢。"

    def export(turns: list[tuple[str, Answer]]) -> str | None:
        if not turns:
            return None
        out = Path(tempfile.mkdtemp(prefix="qzqd-export-")) / "对话记录.md"
        out.write_text(conversation_markdown(turns), encoding="utf-8")
        return str(out)

    def list_items(*values: str | None) -> list[list[Any]]:
        return views.item_rows(cat, dict(zip([*views.FILTER_COLUMNS, "法律"], values, strict=True)))

    def show_item(key: str | None) -> str:
        item = cat.items.get(key or "")
        return views.item_html(item, cat, assistant.library) if item else ""

    def run_eval(upload: str | None) -> tuple:
        path = Path(upload) if upload else paths.ROOT / "eval" / "questions.jsonl"
        if path.stat().st_size > MAX_UPLOAD:
            raise gr.Error(f"问题集超过 {MAX_UPLOAD // 1000} KB。")
        try:
            questions = evaluate.load_questions(path)
        except evaluate.QuestionSetError as e:
            raise gr.Error(str(e)) from None
        results = evaluate.run(assistant.ask, questions)
        return views.eval_tables(questions, results)

    def api_ask(question: str, history: list[dict] | None = None, lists: list[str] | None = None) -> dict:
        """Answer one question; `history` is the conversation as {"role", "content"} messages;
        `lists` (list ids) answers from those lists only."""
        unknown = sorted(set(lists or ()) - set(list_ids))
        if unknown:
            return {"error": f"no such list: {', '.join(unknown)}", "lists": list_ids}
        return to_json(assistant.ask(question, history or [], lists or None))

    with gr.Blocks(title="权责清单助手", analytics_enabled=False) as demo:
        gr.Markdown("## 权责清单助手\n按原文回答：每个回答都是清单原文摘录，并注明出处。")
        if assistant.retriever.warning:
            gr.Markdown(f"⚠️ {assistant.retriever.warning}", elem_id="banner")
        turns = gr.State([])
        with gr.Tab("问答"), gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(height=480, elem_id="chat", sanitize_html=True, label="对话")
                question = gr.Textbox(placeholder="输入问题，例如：不让用户实名注册会被怎么罚？",
                                      elem_id="question", label="问题", max_lines=4)
                scope = gr.Dropdown([("全部清单", ""), *((views.list_label(cat, lid), lid) for lid in list_ids)],
                                    value="", label="清单", visible=len(list_ids) > 1, elem_id="scope")
                with gr.Row():
                    chips = [gr.Button(visible=False, size="sm", elem_classes="chip") for _ in range(3)]
                gr.Examples(STAFF_EXAMPLES, inputs=question, label="工作人员常问")
                gr.Examples(TRAINEE_EXAMPLES, inputs=question, label="培训学习")
                with gr.Accordion("评价与导出", open=False):
                    with gr.Row():
                        rating = gr.Radio(["👍", "👎"], value="👍", label="评价最近的回答")
                        reason = gr.Dropdown(list(REASONS), label="原因（可选）", value=None)
                    comment = gr.Textbox(label="补充说明（可选）", max_lines=3)
                    rate_button = gr.Button("提交评价")
                    rated = gr.Markdown()
                    export_button = gr.Button("导出对话（Markdown）")
                    exported = gr.File(label="导出文件")
            with gr.Column(scale=2):
                evidence = gr.HTML(views.evidence_html(None, cat), elem_id="evidence-panel")
        with gr.Tab("事项与程序"):
            with gr.Row():
                filters = [gr.Dropdown(choices[c], label=c, value=None) for c in [*views.FILTER_COLUMNS, "法律"]]
            table = gr.Dataframe(list_items(*[None] * 5), headers=["序号", "事项名称", "权力事项类型", "承办机构",
                                                                   "办事层级"], interactive=False)
            pick = gr.Dropdown([(views.item_choice(cat, i), i.key) for i in cat.items.values()],
                               label="查看事项（序号）")
            page = gr.HTML()
        with gr.Tab("评测"):
            upload = gr.File(label="上传问题集（.jsonl，可选；默认 eval/questions.jsonl）", file_types=[".jsonl"])
            run_button = gr.Button("运行评测")
            metrics = gr.Dataframe(label="各类问题指标")
            chart = gr.BarPlot(x="kind", y="value", color="metric", label="Recall@1 与引用命中率")
            failures = gr.Dataframe(label="未通过的问题")

        outputs = [chatbot, question, evidence, turns, *chips]
        question.submit(respond, [question, chatbot, turns, scope], outputs, api_visibility="private")
        for chip in chips:
            chip.click(respond, [chip, chatbot, turns, scope], outputs, api_visibility="private")
        rate_button.click(rate, [rating, reason, comment, turns], rated, api_visibility="private")
        export_button.click(export, turns, exported, api_visibility="private")
        for f in filters:
            f.change(list_items, filters, table, api_visibility="private")
        pick.change(show_item, pick, page, api_visibility="private")
        run_button.click(run_eval, upload, [metrics, chart, failures], api_visibility="private")
        gr.api(api_ask, api_name="ask")
    return demo


def main() -> None:
    parser = argparse.ArgumentParser(description="权责清单助手 (Gradio)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--lists", action="append", default=[], metavar="PATH",
                        help="a list file or a folder of them (.xls, .xlsx, .csv, .txt; repeatable; "
                             "default corpus/lists)")
    args = parser.parse_args()
    from assistant.service import load_assistant

    print("正在加载清单与索引（首次运行会构建索引，约需一分钟）…", flush=True)
    assistant = load_assistant(lists=[Path(p) for p in args.lists] or None)
    assistant.ask("网络安全", [])  # load the model now, not on the first user's question
    demo = build_demo(assistant, FeedbackStore(paths.data_dir() / "feedback.sqlite3"))
    auth = os.environ.get("ASSISTANT_AUTH")  # "user:password" turns on a login page
    demo.queue(max_size=QUEUE_SIZE, default_concurrency_limit=CONCURRENCY).launch(
        server_name=args.host, server_port=args.port, share=False, ssr_mode=False,
        enable_monitoring=False, show_error=False, max_file_size=MAX_UPLOAD,
        auth=tuple(auth.split(":", 1)) if auth else None, footer_links=["api"])


if __name__ == "__main__":
    main()
