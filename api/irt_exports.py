"""The CSV export's HTTP answer, for the page and the JSON API alike (the export itself is
bot.services.contacts.export_contacts)."""

from __future__ import annotations

from fastapi import Response

from api.services import AppServices


def csv_response(text: str, services: AppServices) -> Response:
    stamp = services.clock.now().strftime("%Y%m%d-%H%M")
    # A byte-order mark, so that Excel reads the UTF-8 (names with accents) as UTF-8.
    return Response(
        content="\ufeff" + text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="pcl-contacts-{stamp}.csv"'},
    )
