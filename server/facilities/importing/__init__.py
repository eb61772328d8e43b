"""Importers for Korea's public safety-facility data (bells, CCTV, security
lights, women's safe houses).

- ``readers``: CSV (any Korean encoding), XLSX and GeoJSON as rows by header name;
- ``values``: cell text → numbers, dates, flags; the normalised agency name;
- ``datasets``: each dataset's columns, natural key and row → facility mapping;
- ``service``: validate, locate and upsert one snapshot in one transaction;
- ``results``: the counts, the summary and the rejected-rows report.

The 구/동 boundaries they rely on are imported by ``server.facilities.areas``.
"""
