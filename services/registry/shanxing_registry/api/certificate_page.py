"""The printable page of a service-record certificate (志愿服务记录证明), A4, Chinese labels."""
from __future__ import annotations

from flask import render_template_string

# Autoescaped (render_template_string escapes every value).
PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>志愿服务记录证明 {{ c.verification_code }}</title>
<style>
@page { size: A4; margin: 20mm 18mm; }
body { font-family: "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", serif; color: #000; max-width: 174mm;
       margin: 0 auto; font-size: 11pt; }
h1 { text-align: center; font-size: 20pt; letter-spacing: 0.3em; margin: 0 0 8mm; }
table { width: 100%; border-collapse: collapse; margin-bottom: 6mm; }
th, td { border: 1px solid #000; padding: 2mm 3mm; text-align: left; vertical-align: top; }
th { background: #f2f2f2; white-space: nowrap; }
td.hours, th.hours { text-align: right; }
tr { page-break-inside: avoid; }
.verify { font-size: 10pt; }
.code { font-family: monospace; font-size: 13pt; letter-spacing: 0.1em; }
@media print { .no-print { display: none; } th { background: none; } }
</style></head>
<body>
<h1>志愿服务记录证明</h1>
<table>
<tr><th>姓名</th><td>{{ c.display_name }}</td><th>身份证号</th><td>{{ c.id_number }}</td></tr>
<tr><th>所属区域</th><td>{{ c.region_code }}</td><th>星级</th><td>{{ c.star_level }}</td></tr>
<tr><th>累计服务时长</th><td>{{ c.total_hours }} 小时</td><th>服务记录</th><td>{{ c.record_count }} 条</td></tr>
{% if c.purpose %}<tr><th>用途</th><td colspan="3">{{ c.purpose }}</td></tr>{% endif %}
</table>
<table>
<thead><tr><th>服务项目/活动</th><th>服务组织</th><th>服务地点</th><th>服务时间</th><th class="hours">服务时长（小时）</th>
<th>记录人</th></tr></thead>
<tbody>
{% for line in c.lines %}<tr><td>{{ line.activity }}</td><td>{{ line.organization }}</td><td>{{ line.place or "—" }}</td>
<td>{{ line.served_on }}</td><td class="hours">{{ line.hours }}</td><td>{{ line.recorder }}</td></tr>
{% else %}<tr><td colspan="6">（暂无已确认的服务记录）</td></tr>{% endfor %}
</tbody></table>
<p>出具日期：{{ c.issued_on }}</p>
<p class="verify">证明编号/验证码：<span class="code">{{ c.verification_code }}</span><br>
验证方式：访问 <code>/api/v1/certificates/{{ c.verification_code }}</code> 核对（仅显示脱敏信息）；
编号或内容被改动的证明无法通过验证。</p>
<p class="no-print"><button onclick="window.print()">打印</button></p>
</body></html>
"""


def render(certificate: dict) -> str:
    return render_template_string(PAGE, c=certificate)
