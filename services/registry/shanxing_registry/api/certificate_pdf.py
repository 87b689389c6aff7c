"""The service-record certificate (志愿服务记录证明) as a PDF (A4): the content of the HTML page.

Text is set in Adobe's CID font STSong-Light (UniGB-UCS2-H), which reportlab knows without a font
file; the PDF names the font without embedding it, and PDF viewers supply their Chinese font for it.
"""
from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

TITLE = "志愿服务记录证明"
MARGIN_X, MARGIN_Y = 18 * mm, 20 * mm
WIDTH = A4[0] - 2 * MARGIN_X  # 174 mm, as the HTML page
LINE_COLUMNS = (("服务项目/活动", 40), ("服务组织", 36), ("服务地点", 38), ("服务时间", 20),
                ("服务时长（小时）", 18), ("记录人", 22))  # widths in mm, adding up to WIDTH

_text = ParagraphStyle("text", fontName=FONT, fontSize=10.5, leading=15, wordWrap="CJK")
_cell = ParagraphStyle("cell", parent=_text, fontSize=9, leading=12)
_number = ParagraphStyle("number", parent=_cell, alignment=TA_RIGHT)
_title = ParagraphStyle("title", parent=_text, fontSize=20, leading=26, alignment=TA_CENTER, spaceAfter=8 * mm)
_small = ParagraphStyle("small", parent=_text, fontSize=9.5, leading=14)
_GRID = [("FONTNAME", (0, 0), (-1, -1), FONT), ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
         ("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 2 * mm),
         ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * mm), ("LEFTPADDING", (0, 0), (-1, -1), 2.5 * mm),
         ("RIGHTPADDING", (0, 0), (-1, -1), 2.5 * mm)]
_HEAD = colors.Color(0.95, 0.95, 0.95)


def _p(value, style=_cell) -> Paragraph:
    """Paragraph markup is XML: every value is escaped, so a purpose like ``<b>`` prints as typed."""
    return Paragraph(escape(str(value)), style)


def _summary(c: dict) -> Table:
    rows = [[_p("姓名"), _p(c["display_name"]), _p("身份证号"), _p(c["id_number"])],
            [_p("所属区域"), _p(c["region_code"]), _p("星级"), _p(c["star_level"])],
            [_p("累计服务时长"), _p(f"{c['total_hours']} 小时"), _p("服务记录"), _p(f"{c['record_count']} 条")]]
    style = _GRID + [("BACKGROUND", (0, 0), (0, -1), _HEAD), ("BACKGROUND", (2, 0), (2, 2), _HEAD)]
    if c.get("purpose"):
        rows.append([_p("用途"), _p(c["purpose"]), "", ""])
        style.append(("SPAN", (1, len(rows) - 1), (3, len(rows) - 1)))
    table = Table(rows, colWidths=[28 * mm, 59 * mm, 28 * mm, 59 * mm])
    table.setStyle(TableStyle(style))
    return table


def _lines(c: dict) -> Table:
    rows = [[_p(label, _number if i == 4 else _cell) for i, (label, _) in enumerate(LINE_COLUMNS)]]
    for line in c["lines"]:
        rows.append([_p(line["activity"]), _p(line["organization"]), _p(line["place"] or "—"),
                     _p(line["served_on"]), _p(line["hours"], _number), _p(line["recorder"])])
    style = _GRID + [("BACKGROUND", (0, 0), (-1, 0), _HEAD)]
    if not c["lines"]:
        rows.append([_p("（暂无已确认的服务记录）"), "", "", "", "", ""])
        style.append(("SPAN", (0, 1), (-1, 1)))
    # repeatRows: a long record continues on the next page under the same header
    table = Table(rows, colWidths=[w * mm for _, w in LINE_COLUMNS], repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


def render_pdf(certificate: dict) -> bytes:
    c = certificate
    code = c["verification_code"]

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawRightString(A4[0] - MARGIN_X, MARGIN_Y / 2, f"证明编号 {code}　第 {doc.page} 页")
        canvas.restoreState()

    out = BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_Y,
                            bottomMargin=MARGIN_Y, title=f"{TITLE} {code}", author="shanxing-registry",
                            subject=TITLE, lang="zh-CN")
    story = [_p(TITLE, _title), _summary(c), Spacer(0, 6 * mm), _lines(c), Spacer(0, 6 * mm),
             _p(f"出具日期：{c['issued_on']}", _text), Spacer(0, 3 * mm),
             _p(f"证明编号/验证码：{code}", _text),
             _p(f"验证方式：访问 /api/v1/certificates/{code} 核对（仅显示脱敏信息）；"
                "编号或内容被改动的证明无法通过验证。", _small)]
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
