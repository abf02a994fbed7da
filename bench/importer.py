"""`oms import` on a catalogue of N products and their shelf locations in one store, on a scratch
database with the demo data: a dry run, the first import, then the same files again.

    python -m bench.importer --products 5000
"""

import argparse
import asyncio
import random
import time

from adapters.db import create_engine
from bench.common import scratch_database
from devstack import demo
from domain.master_data import gtin_check_digit
from services.importer import Kind, Source, import_sources


def _gtin(rng: random.Random) -> str:
    body = "2" + "".join(rng.choices("0123456789", k=11))
    return body + str(gtin_check_digit(body))


def catalogue(count: int, seed: int = 7) -> list[Source]:
    rng = random.Random(seed)
    codes = list(dict.fromkeys(_gtin(rng) for _ in range(count * 2)))[:count]
    products = "sku,name,unit_price,currency,barcodes\n" + "".join(
        f"BENCH-{i},Product {i},{rng.randint(100, 99999) / 100:.2f},EUR,{code}\n"
        for i, code in enumerate(codes)
    )
    locations = "store_id,sku,location\n" + "".join(
        f"paris-rivoli,BENCH-{i},A{i % 99:02d}-B{i % 7}\n" for i in range(len(codes))
    )
    return [
        Source("products.csv", Kind.PRODUCTS, products),
        Source("locations.csv", Kind.LOCATIONS, locations),
    ]


async def main(count: int) -> None:
    with scratch_database() as url:
        engine = create_engine(url, pool_size=1)
        await demo.load(engine)
        files = catalogue(count)
        for label, dry_run in (("dry run", True), ("first import", False), ("again", False)):
            started = time.perf_counter()
            report = await import_sources(engine, files, dry_run=dry_run)
            elapsed = time.perf_counter() - started
            rows = sum(r.rows for r in report.files)
            print(
                f"{label}: {rows} rows in {elapsed:.1f} s ({rows / elapsed:.0f} rows/s), {report.changes} changes"
            )
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--products", type=int, default=5000)
    asyncio.run(main(parser.parse_args().products))
