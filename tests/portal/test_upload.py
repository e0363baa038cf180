"""Reporting by file: every row error before anything is saved, then all or nothing."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from reetrace.ledger.models import Event, Shipment
from tests.portal.conftest import MAGNET, signed_in

HEADER = "event_id,kind,event_time,lot,mass,buyer,unit_price,currency,contract\n"


def sales_csv(world, second_mass: str, buyer: str | None = None) -> bytes:
    buyer = buyer or world.user_firm.identifier
    rows = [
        f"f-1,ship,2025-03-20T10:00:00+08:00,{MAGNET},50,{buyer},400,CNY,C-1",
        f"f-2,ship,2025-03-20T11:00:00+08:00,{MAGNET},{second_mass},{buyer},400,CNY,C-2",
        "",
        f"f-3,ship,2025-03-20T12:00:00+08:00,{MAGNET},10 kg,{buyer},nope,CNY,C-3",
    ]
    return (HEADER + "\n".join(rows) + "\n").encode()


@pytest.fixture
def uploader(chain, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return signed_in(chain.user_for(chain.magnet_maker))


def upload(client, name: str, content: bytes):
    response = client.post(reverse("portal:upload"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content
    return response["Location"]


def test_a_file_with_errors_then_a_fixed_one(chain, uploader):
    before = Event.objects.count()
    detail = upload(uploader, "sales.csv", sales_csv(chain, "900 t"))
    assert uploader.get(detail).context["meta"]["rows"] == 3
    uploader.post(detail + "check")
    page = uploader.get(detail)
    errors = page.context["tables"]["row_errors"].rows
    assert [(e["row"], e["column"]) for e in errors] == [(3, "mass"), (5, "unit_price")]
    assert "holds only" in errors[0]["message"]
    assert page.context["meta"]["state"] == "invalid"
    assert Event.objects.count() == before
    uploader.post(detail + "commit")  # refused: the file did not pass its check
    assert Event.objects.count() == before

    fixed = sales_csv(chain, "20").replace(b",nope,", b",400,")
    detail = upload(uploader, "sales-fixed.csv", fixed)
    uploader.post(detail + "check")
    assert uploader.get(detail).context["meta"]["state"] == "checked"
    assert Event.objects.count() == before  # the dry run saved nothing
    uploader.post(detail + "commit")
    meta = uploader.get(detail).context["meta"]
    assert (meta["state"], meta["created"]) == ("committed", 3)
    assert Shipment.objects.filter(event__event_id__in=["f-1", "f-2", "f-3"]).count() == 3
    progress = uploader.get(detail + "progress").json()
    assert (progress["phase"], progress["done"], progress["total"]) == ("commit", 3, 3)


def test_reading_errors_name_row_and_column(chain, uploader):
    content = HEADER.replace("contract", "colour").encode()
    detail = upload(uploader, "bad.csv", content)
    errors = uploader.get(detail).context["tables"]["row_errors"].rows
    assert errors[0]["row"] == 1 and "colour" in errors[0]["column"]
    bad_cell = HEADER + f"g-1,ship,2025-03-20T10:00:00+08:00,{MAGNET},1,x,1,CNY,C,extra\n"
    detail = upload(uploader, "wide.csv", bad_cell.encode())
    errors = uploader.get(detail).context["tables"]["row_errors"].rows
    assert errors[0]["row"] == 2 and "cells" in errors[0]["message"]


def test_xlsx_rows_are_read_like_csv_rows(chain, uploader):
    book = Workbook()
    sheet = book.active
    for line in sales_csv(chain, "20").replace(b",nope,", b",400,").decode().splitlines():
        sheet.append(line.split(",") if line else [])
    sheet["E2"] = 50  # a number cell, as a spreadsheet user would type it
    out = io.BytesIO()
    book.save(out)
    detail = upload(uploader, "sales.xlsx", out.getvalue())
    uploader.post(detail + "check")
    assert uploader.get(detail).context["meta"]["state"] == "checked"
    uploader.post(detail + "commit")
    assert Shipment.objects.get(event__event_id="f-1").kg == 50


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_templates_download_with_the_kind_columns(uploader, fmt):
    response = uploader.get(reverse("portal:upload-template", args=["ship", fmt]))
    assert response.status_code == 200
    if fmt == "csv":
        header = response.content.decode().splitlines()[0]
    else:
        header = ",".join(
            c.value for c in next(load_workbook(io.BytesIO(response.content)).active.rows)
        )
    assert header == HEADER.strip()
