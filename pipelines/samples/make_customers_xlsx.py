#!/usr/bin/env python3
"""Writes customers.xlsx, the demo workbook of the spreadsheet connector, with openpyxl.

Usage: make_customers_xlsx.py [OUTPUT]   (default: customers.xlsx next to this script)

Sheet "Customers" mixes Chinese and English headers, stores mobile numbers as numbers (as people paste them
into Excel), and has real date cells. Several people also appear in contacts_cn_gbk.csv and contacts_en.csv,
spelled a little differently, for the dedupe stage to find. A first sheet "README" holds notes, so a pipeline
must select the data sheet by name.
"""
import datetime
import os
import sys

from openpyxl import Workbook
from openpyxl.styles import Font

HEADERS = ["客户编号", "姓名", "Company", "手机", "Email", "生日", "City", "国家", "Last Order", "积分"]

ROWS = [
    ["CN0001", "张伟", "北京星辰科技有限公司", 13800138000, "ZhangWei@xingchen-tech.cn",
     datetime.date(1985, 3, 12), "北京", "中国", datetime.datetime(2024, 4, 18, 10, 15), 1280],
    ["CN0002", "王芳", "Shanghai Dongfang Trading", 8613800138001, "wangfang@dongfang-trade.com",
     datetime.date(1990, 7, 1), "上海", "中国", datetime.datetime(2024, 3, 2, 16, 40), 560],
    ["CN0003", "李娜", "南粤物流", 13900139002, "li.na@nanyue-logistics.cn",
     datetime.date(1988, 11, 23), "Guangzhou", "CN", None, 0],
    ["CN0020", "欧阳娜娜", "北京星辰科技有限公司", 13810012020, "OuYang.NaNa@xingchen-tech.cn",
     datetime.date(1995, 2, 14), "北京", "中国", datetime.datetime(2024, 5, 6, 9, 0), 2300],
    ["CN0023", "宋佳", "合肥智联科技有限公司", 1065529988, "songjia@hf-zhilian.com",
     None, "合肥", "中国", None, 75],
    ["EN1001", "Wei Zhang", "Beijing Xingchen Technology", 8613800138000, "zhangwei@xingchen-tech.cn",
     datetime.date(1985, 3, 12), "Beijing", "China", datetime.datetime(2024, 1, 9, 14, 5), 1280],
    ["EN1003", "Jürgen Müller", "Straße & Söhne GmbH", 493012345678, "J.Mueller@strasse-soehne.de",
     datetime.date(1972, 2, 29), "Berlin", "Germany", datetime.datetime(2023, 12, 20, 11, 30), 410],
    ["EN1004", "Sarah Johnson", "Acme Corp", 14155550132, "sarah.johnson@acmecorp.com",
     datetime.date(1983, 9, 5), "San Francisco", "US", datetime.datetime(2024, 4, 1, 8, 45), 990],
    ["EN1006", "Oliver Brown", "Brown & Co Ltd", 442079460958, "oliver.brown@brownco.co.uk",
     None, "London", "UK", None, 120],
    ["EN1007", "Emily Davies", "Thames Valley Consulting", 442079460321, "EMILY.DAVIES@tvconsult.co.uk",
     datetime.date(1991, 6, 30), "London", "United Kingdom", datetime.datetime(2024, 2, 28, 17, 0), 640],
    ["EN1008", "Anna Schmidt", "Berliner Maschinenbau AG", 493023456789, "anna.schmidt@berliner-mb.de",
     datetime.date(1979, 12, 1), "Berlin", "DE", None, 305],
    ["EN1024", "Max Mustermann", "Musterfirma GmbH", 4930901820, "max@musterfirma.de",
     datetime.date(1964, 8, 12), "Berlin", "Deutschland", datetime.datetime(2024, 5, 2, 13, 20), 50],
]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                             "customers.xlsx")
    wb = Workbook()
    # Fixed metadata so that re-running the script changes nothing but ZIP timestamps.
    stamp = datetime.datetime(2024, 5, 6, 12, 0, 0)
    wb.properties.creator = "crmsync samples"
    wb.properties.created = stamp
    wb.properties.modified = stamp

    readme = wb.active
    readme.title = "README"
    readme.append(["crmsync demo workbook: customer master data lives on the sheet 'Customers'."])
    readme.append(["Mobile numbers are stored as numbers, birthdays and last orders as real dates."])

    ws = wb.create_sheet("Customers")
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in ROWS:
        ws.append(row)
    for row in ws.iter_rows(min_row=2):
        row[3].number_format = "0"  # phone numbers: never 1.38E+10
        row[5].number_format = "yyyy-mm-dd"
        row[8].number_format = "yyyy-mm-dd hh:mm"
    for column, width in zip("ABCDEFGHIJ", [10, 14, 30, 16, 32, 12, 16, 16, 18, 8]):
        ws.column_dimensions[column].width = width
    wb.save(out)


if __name__ == "__main__":
    main()
