"""Appends crafted rows to a pond's table with the delta-rs Python package, and reads its rows.

A long-lived worker: one JSON request per line on stdin, one JSON answer per line on stdout, so
that the package is imported once for every pond crafted.
"""

import base64
import datetime
import hashlib
import json
import sys

import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
from deltalake import DeltaTable, write_deltalake

TIMESTAMP = pa.timestamp("us", tz="UTC")
SCHEMA = pa.schema(
    [
        ("part_id", pa.string()),
        ("node_id", pa.string()),
        ("entry_type", pa.string()),
        ("version", pa.int64()),
        ("txn_seq", pa.int64()),
        ("timestamp", TIMESTAMP),
        ("content", pa.binary()),
        ("content_ref", pa.string()),
        ("size", pa.int64()),
        ("sha256", pa.string()),
        ("min_event_time", pa.int64()),
        ("max_event_time", pa.int64()),
        ("attrs", pa.string()),
    ]
)
ENTRY_SCHEMA = pa.schema(
    [
        pa.field("name", pa.string(), nullable=False),
        ("child_node_id", pa.string()),
        ("child_part_id", pa.string()),
        ("child_entry_type", pa.string()),
        pa.field("op", pa.string(), nullable=False),
    ]
)


def directory_record(changes):
    """A directory record's content: an Arrow IPC stream of entry changes."""
    sink = pa.BufferOutputStream()
    columns = {name: [c.get(name) for c in changes] for name in ENTRY_SCHEMA.names}
    with ipc.new_stream(sink, ENTRY_SCHEMA) as writer:
        writer.write_table(pa.table(columns, schema=ENTRY_SCHEMA))
    return sink.getvalue().to_pybytes()


def parquet_file(columns):
    """A small Parquet file of the given columns, such as a series chunk."""
    types = {"timestamp_ms": pa.timestamp("ms", tz="UTC"), "float64": pa.float64(), "string": pa.string()}
    table = pa.table({name: pa.array(c["values"], type=types[c["type"]]) for name, c in columns.items()})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def content_of(row):
    if "changes" in row:
        return directory_record(row["changes"])
    if row.get("content") is not None:
        return base64.b64decode(row["content"])
    return None


def with_parquet(row):
    """A row asking for Parquet content gets it, with its true size and sha256."""
    if "parquet" not in row:
        return row
    content = parquet_file(row["parquet"])
    return {**row, "content": base64.b64encode(content).decode(), "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest()}


def append(table, rows):
    """Writes `rows` as the table's next version; returns that version."""
    rows = [with_parquet(r) for r in rows]
    version = DeltaTable(table).version() + 1
    now = datetime.datetime.now(datetime.timezone.utc)
    columns = {
        "part_id": [r["part_id"] for r in rows],
        "node_id": [r["node_id"] for r in rows],
        "entry_type": [r["entry_type"] for r in rows],
        "version": [r["version"] for r in rows],
        "txn_seq": [r.get("txn_seq", version) for r in rows],
        "timestamp": [now for _ in rows],
        "content": [content_of(r) for r in rows],
        "content_ref": [r.get("content_ref") for r in rows],
        "size": [int(r["size"]) for r in rows],
        "sha256": [r.get("sha256", "") for r in rows],
        "min_event_time": [r.get("min_event_time") for r in rows],
        "max_event_time": [r.get("max_event_time") for r in rows],
        "attrs": [r.get("attrs") for r in rows],
    }
    write_deltalake(table, pa.table(columns, schema=SCHEMA), mode="append", partition_by=["part_id"])
    return version


def stored_rows(table):
    """Every row without its file content; a directory record with its changes decoded."""
    data = DeltaTable(table).to_pyarrow_table()
    rows = []
    for row in data.to_pylist():
        content = row.pop("content")
        row.pop("timestamp")
        is_record = row["entry_type"] == "directory" and row["node_id"] == row["part_id"]
        row["changes"] = ipc.open_stream(content).read_all().to_pylist() if is_record and content else None
        rows.append(row)
    return rows


def handle(request):
    if request["op"] == "append":
        return {"versions": [append(request["table"], rows) for rows in request["commits"]]}
    if request["op"] == "rows":
        return {"rows": stored_rows(request["table"])}
    raise ValueError(f"unknown op {request['op']}")


for line in sys.stdin:
    request = json.loads(line)
    try:
        answer = {"id": request["id"], **handle(request)}
    except Exception as error:  # noqa: BLE001 - every failure goes back to the caller
        answer = {"id": request["id"], "error": f"{type(error).__name__}: {error}"}
    print(json.dumps(answer), flush=True)
