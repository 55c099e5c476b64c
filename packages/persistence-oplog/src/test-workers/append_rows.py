"""Appends rows to a pond's table with the delta-rs Python package, as another Delta writer would.

Usage: python append_rows.py TABLE_PATH < rows.json, where each row has the table's columns
(content as hex, timestamp in microseconds; txn_seq defaults to the version the append creates).
Prints {"version": N}, the version committed.
"""

import json
import os
import sys

import pyarrow as pa
from deltalake import DeltaTable, write_deltalake

path = sys.argv[1]
rows = json.load(sys.stdin)
version = DeltaTable(path).version() + 1

schema = pa.schema(
    [
        pa.field("part_id", pa.string(), nullable=False),
        pa.field("node_id", pa.string(), nullable=False),
        pa.field("entry_type", pa.string(), nullable=False),
        pa.field("version", pa.int64(), nullable=False),
        pa.field("txn_seq", pa.int64(), nullable=False),
        pa.field("timestamp", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("content", pa.binary(), nullable=True),
        pa.field("content_ref", pa.string(), nullable=True),
        pa.field("size", pa.int64(), nullable=False),
        pa.field("sha256", pa.string(), nullable=False),
        pa.field("min_event_time", pa.int64(), nullable=True),
        pa.field("max_event_time", pa.int64(), nullable=True),
        pa.field("attrs", pa.string(), nullable=True),
    ]
)
columns = {field.name: [] for field in schema}
for row in rows:
    for field in schema:
        value = row.get(field.name)
        if field.name == "txn_seq" and value is None:
            value = version
        if field.name == "content" and value is not None:
            value = bytes.fromhex(value)
        columns[field.name].append(value)

write_deltalake(path, pa.table(columns, schema=schema), mode="append", partition_by=["part_id"])
json.dump({"version": DeltaTable(path).version()}, sys.stdout)
sys.stdout.flush()
# Skip interpreter teardown: the deltalake runtime can abort while shutting down.
os._exit(0)
