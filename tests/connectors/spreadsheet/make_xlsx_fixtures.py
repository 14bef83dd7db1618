#!/usr/bin/env python3
"""Writes the XLSX fixtures of the spreadsheet connector tests with openpyxl, a writer that is not ours.

Usage: make_xlsx_fixtures.py OUTDIR

openpyxl 3.0 (Debian 12) stores every string inline (t="inlineStr") and cannot write rich text. Excel stores
strings in xl/sharedStrings.xml and writes rich text as runs, so after openpyxl has saved customers.xlsx this
script moves the strings of its second sheet into a shared string table and turns two marked strings into
rich-text runs, the way Excel would have written them. Everything else is openpyxl's own output.
"""
import datetime
import os
import re
import sys
import zipfile

from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

RICH_MARKER = "RICH:重要客户| VIP客户"
LEADS_RICH_MARKER = "RICH:Key| account"


def rich_runs(marker):
    bold, plain = marker[len("RICH:"):].split("|")
    return ('<r><rPr><b/><sz val="11"/><color rgb="FFFF0000"/></rPr><t>' + bold + "</t></r>"
            '<r><rPr><sz val="11"/></rPr><t xml:space="preserve">' + plain + "</t></r>")


def xml_text(value):
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def customers(path):
    wb = Workbook()
    ws = wb.active
    ws.title = "客户"
    ws.append(["客户编号", "姓名", "公司", "手机", "邮箱", "生日", "注册时间", "签约日期", "下次回访", "通话时长",
               "积分", "折扣", "VIP", "备注"])
    ws.append(["C001", "张三", "北京星辰科技有限公司", 13800138000, "zhangsan@example.cn",
               datetime.date(1985, 3, 12), datetime.datetime(2023, 5, 6, 14, 30, 0), datetime.date(2022, 11, 30),
               datetime.date(2024, 7, 1), datetime.time(1, 30, 0), 1200, 0.15, True, RICH_MARKER])
    ws.append(["C002", "李四", "上海东方贸易有限公司", 8613900139000, "LiSi@Example.COM",
               datetime.date(1990, 12, 1), datetime.datetime(2024, 1, 2, 9, 5, 7), None, None, None,
               0.1 + 0.2, None, False, "  前后有空格  "])
    ws.append(["001234", "王五", None, "+86 138-0013-8001", None, None, None, None, None, None, 1.5, None, None,
               "#N/A"])
    ws.append(["C004", "Jürgen Müller", "Straße & Söhne GmbH", 4915112345678, "j.mueller@example.de",
               datetime.date(1972, 2, 29), None, None, None, None, 12345678901234, None, None, "Zeile 1\nZeile 2"])
    for row in ws.iter_rows(min_row=2):
        row[5].number_format = "yyyy-mm-dd"
        row[6].number_format = "yyyy-mm-dd hh:mm:ss"
        row[7].number_format = "mm-dd-yy"  # built-in format 14
        row[8].number_format = 'yyyy"年"m"月"d"日"'
        row[9].number_format = "h:mm:ss"
        row[11].number_format = "0.00%"

    leads = wb.create_sheet("Leads")
    leads.append(["Customer ID", "Full Name", "E-mail", "Mobile", "Created", "Notes"])
    leads.append(["L-001", "Anna Schmidt", "anna@example.de", 4917612345678, datetime.date(2024, 2, 1),
                  LEADS_RICH_MARKER])
    leads.append(["L-002", "赵六", "zhaoliu@example.cn", 13700137000, datetime.date(2024, 2, 3), "Anna Schmidt"])
    for row in leads.iter_rows(min_row=2):
        row[4].number_format = "yyyy-mm-dd"
    wb.save(path)
    rewrite_like_excel(path)


def rewrite_like_excel(path):
    with zipfile.ZipFile(path) as z:
        parts = [(info, z.read(info.filename)) for info in z.infolist()]
    shared = []
    index = {}

    def share(match):
        item = match.group(3)
        if item not in index:
            index[item] = len(shared)
            shared.append(item)
        return '<c r="%s"%s t="s"><v>%d</v></c>' % (match.group(1), match.group(2) or "", index[item])

    inline = re.compile(r'<c r="([A-Z]+[0-9]+)"( s="[0-9]+")? t="inlineStr"><is>(.*?)</is></c>')
    rich_inline = "<t>" + xml_text(RICH_MARKER) + "</t>"
    out_parts = []
    for info, data in parts:
        name = info.filename
        if name == "xl/worksheets/sheet1.xml":
            text = data.decode("utf-8")
            text = text.replace(RICH_MARKER.encode("ascii", "xmlcharrefreplace").decode("ascii"), RICH_MARKER)
            if rich_inline not in text:
                raise SystemExit("rich-text marker not found in sheet1.xml")
            data = text.replace(rich_inline, rich_runs(RICH_MARKER)).encode("utf-8")
        elif name == "xl/worksheets/sheet2.xml":
            data = inline.sub(share, data.decode("utf-8")).encode("utf-8")
        elif name == "xl/_rels/workbook.xml.rels":
            data = data.decode("utf-8").replace(
                "</Relationships>",
                '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                'sharedStrings" Target="sharedStrings.xml" Id="rId99"/></Relationships>').encode("utf-8")
        elif name == "[Content_Types].xml":
            data = data.decode("utf-8").replace(
                "</Types>",
                '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                'officedocument.spreadsheetml.sharedStrings+xml"/></Types>').encode("utf-8")
        out_parts.append((info, data))
    items = []
    for item in shared:
        if item == "<t>" + xml_text(LEADS_RICH_MARKER) + "</t>":
            item = rich_runs(LEADS_RICH_MARKER)
        items.append("<si>" + item + "</si>")
    if not any("<r>" in i for i in items):
        raise SystemExit("rich-text marker not found in the Leads sheet")
    sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">%s'
           "</sst>" % (len(items), len(items), "".join(items)))
    tmp = path + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in out_parts:
            out.writestr(info, data)
        out.writestr("xl/sharedStrings.xml", sst.encode("utf-8"))
    os.replace(tmp, path)


def dates_1904(path):
    wb = Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "Dates"
    ws.append(["ID", "Date", "DateTime"])
    ws.append(["D1", datetime.date(1904, 1, 1), datetime.datetime(1904, 1, 1, 6, 0, 0)])
    ws.append(["D2", datetime.date(2024, 2, 29), datetime.datetime(2024, 2, 29, 23, 59, 59)])
    for row in ws.iter_rows(min_row=2):
        row[1].number_format = "yyyy-mm-dd"
        row[2].number_format = "yyyy-mm-dd hh:mm:ss"
    wb.save(path)


def serials_1900(path):
    """Raw serial numbers with date formats: Excel's 1900 leap-year bug lives around serial 60."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Serials"
    ws.append(["ID", "Date", "DateTime"])
    for key, serial in [("S1", 1), ("S59", 59), ("S60", 60), ("S61", 61), ("S45292", 45292.75)]:
        ws.append([key, serial, serial])
    for row in ws.iter_rows(min_row=2):
        row[1].number_format = "yyyy-mm-dd"
        row[2].number_format = "yyyy-mm-dd hh:mm:ss"
    wb.save(path)


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: make_xlsx_fixtures.py OUTDIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    customers(os.path.join(out, "customers.xlsx"))
    dates_1904(os.path.join(out, "dates_1904.xlsx"))
    serials_1900(os.path.join(out, "serials_1900.xlsx"))


if __name__ == "__main__":
    main()
