#!/usr/bin/env python3
"""Deterministically generate the billpass demo data.

Writes, next to this script:
  customers.csv  - 8 demo customers
  bills.jsonl    - 13 monthly bills per customer (cycles 2025-11 .. 2026-11)

Stdlib only. All money arithmetic is done in integer minor units; amounts
are emitted as decimal strings (JPY has no minor units). Re-run with
    python3 examples/generate.py
The output is identical on every run (fixed per-customer seeds).
After writing, the files are re-read and validated; any problem aborts.
"""

import csv
import datetime as dt
import json
import math
import os
import random
from decimal import Decimal, ROUND_HALF_UP

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = "billpass-demo-v1"

# cycles 2025-11 .. 2026-11 (13 bills); a bill for cycle Y-M covers the
# previous calendar month.
CYCLES = [(2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 12)]
assert len(CYCLES) == 13

MINOR_DIGITS = {"USD": 2, "EUR": 2, "GBP": 2, "JPY": 0}

# ---------------------------------------------------------------- customers

CUSTOMERS = [
    # account_id, name, email, phone, channel, locale, timezone, currency, brand
    # (an empty timezone reads times in the deployment's BILLPASS_TIMEZONE; an empty brand
    # is the default brand, `water` the demo's second one)
    ("ACC-1001", "Margaret Ellison", "margaret.ellison@example.com", "", "email", "en-US", "America/New_York", "USD", ""),
    ("ACC-1002", "Siobhán O'Connor", "siobhan.oconnor@example.org", "+447700900123", "sms", "en-GB", "Europe/London", "GBP", ""),
    ("ACC-1003", "Zoë Øyen-Müller", "zoe.oyen-mueller@example.net", "+493023125456", "", "de-DE", "Europe/Berlin", "EUR", "water"),
    ("ACC-1004", "Takumi Hayashi", "t.hayashi@example.com", "", "email", "ja-JP", "Asia/Tokyo", "JPY", ""),
    ("ACC-1005", "Diego Ramírez", "", "+15550100147", "sms", "es-US", "America/Chicago", "USD", "water"),
    ("ACC-1006", "Priya Raghunathan", "priya.r@example.org", "+447700900456", "email", "en-GB", "Europe/London", "GBP", ""),
    ("ACC-1007", "Lukas Brandt", "", "+493023125789", "sms", "de-DE", "Europe/Berlin", "EUR", ""),
    ("ACC-1008", "Amélie Laurent", "amelie.laurent@example.net", "+33639980188", "", "fr-FR", "Europe/Paris", "EUR", "water"),
]

# ------------------------------------------------------------------ helpers


def prev_month(y, m):
    return (y - 1, 12) if m == 1 else (y, m - 1)


def month_days(y, m):
    ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
    return (dt.date(ny, nm, 1) - dt.date(y, m, 1)).days


def ym(y, m):
    return "%04d-%02d" % (y, m)


def to_minor(value, currency):
    """Decimal major-unit value -> int minor units, rounded half-up."""
    q = Decimal(1).scaleb(-MINOR_DIGITS[currency])
    d = Decimal(value).quantize(q, rounding=ROUND_HALF_UP)
    return int(d.scaleb(MINOR_DIGITS[currency]))


def fmt(minor, currency):
    """int minor units -> decimal string ("-120.50", "0.00", "12840")."""
    digits = MINOR_DIGITS[currency]
    sign = "-" if minor < 0 else ""
    a = abs(minor)
    if digits == 0:
        return "%s%d" % (sign, a)
    return "%s%d.%0*d" % (sign, a // 10 ** digits, digits, a % 10 ** digits)


def pct_of(base_minor, pct):
    """pct (Decimal percent) of an amount in minor units, rounded half-up."""
    return int((Decimal(base_minor) * Decimal(pct) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def seasonal(month, winter_amp, summer_amp=0.0):
    """Multiplier peaking in January (heating); optional July bump (A/C)."""
    f = 1.0 + winter_amp * math.cos(2 * math.pi * (month - 1) / 12)
    if summer_amp:
        f += summer_amp * max(0.0, math.cos(2 * math.pi * (month - 7) / 12)) ** 2
    return f


def due_date(issued):
    d = issued + dt.timedelta(days=21)
    while d.weekday() >= 5:  # roll weekends forward to Monday
        d += dt.timedelta(days=1)
    return d


# ------------------------------------------------------- per-customer plans
#
# Each plan returns, for one period (py, pm), the electricity kWh and a list
# of (description, quantity_str, unit, amount_minor, taxable_group) items.
# Tax lines are appended afterwards from `taxes`: (description, pct, group).

PLANS = {
    "ACC-1001": dict(  # US, electric heat + some A/C; new fee in 2026-11
        base_kwh=640, winter=0.35, summer=0.25,
        lines=[("Energy charge", "kwh", "0.1280", "e"),
               ("Delivery charge", "kwh", "0.0450", "e"),
               ("Customer charge", "month", "12.00", "e")],
        taxes=[("Tax: Sales tax 6.25%", "6.25", "e")],
    ),
    "ACC-1002": dict(  # UK, electricity + gas (gas very seasonal)
        base_kwh=230, winter=0.25,
        gas_kwh=900, gas_winter=0.85,
        lines=[("Electricity", "kwh", "0.2450", "e"),
               ("Electricity standing charge", "day", "0.6075", "e"),
               ("Gas", "gas_kwh", "0.0630", "e"),
               ("Gas standing charge", "day", "0.3165", "e")],
        taxes=[("Tax: VAT 5%", "5", "e")],
    ),
    "ACC-1003": dict(  # DE, heat pump installed -> 2026-10 usage jump
        base_kwh=310, winter=0.30,
        lines=[("Energy charge", "kwh", "0.3190", "e"),
               ("Standing charge", "month", "13.50", "e")],
        taxes=[("Tax: VAT 19%", "19", "e")],
    ),
    "ACC-1004": dict(  # JP, whole-yen amounts; subsidy line appears in 2026-11
        base_kwh=380, winter=0.30, summer=0.30,
        lines=[("Basic charge", "month", "1246", "e"),
               ("Energy charge", "kwh", "31.40", "e"),
               ("Renewable energy surcharge", "kwh", "3.49", "e")],
        taxes=[("Tax: Consumption tax 10%", "10", "e")],
    ),
    "ACC-1005": dict(  # US (no tax), 2-line bills; partial payment + late fee
        base_kwh=820, winter=0.10, summer=0.45,
        lines=[("Energy charge", "kwh", "0.1190", "e"),
               ("Base charge", "month", "9.95", "e")],
        taxes=[],
    ),
    "ACC-1006": dict(  # UK flat; overpayment -> credit balance
        base_kwh=210, winter=0.20,
        lines=[("Electricity", "kwh", "0.2450", "e"),
               ("Standing charge", "day", "0.6075", "e")],
        taxes=[("Tax: VAT 5%", "5", "e")],
    ),
    "ACC-1007": dict(  # DE, electricity + water, two VAT rates
        base_kwh=240, winter=0.22,
        water_m3=6.5,
        lines=[("Energy charge", "kwh", "0.3290", "e"),
               ("Standing charge", "month", "11.90", "e"),
               ("Water usage", "water", "2.14", "w")],
        taxes=[("Tax: VAT 19%", "19", "e"), ("Tax: VAT 7%", "7", "w")],
    ),
    "ACC-1008": dict(  # FR, electricity + water, lines as a French biller writes them
        base_kwh=310, winter=0.30,
        water_m3=7.0,
        lines=[("Consommation d'électricité", "kwh", "0.2516", "e"),
               ("Abonnement", "month", "12.44", "e"),
               ("Eau potable", "water", "4.34", "w")],
        taxes=[("Tax: TVA 20 %", "20", "e"), ("Tax: TVA 5,5 %", "5.5", "w")],
    ),
}


def period_usage(acct, plan, rng, py, pm):
    """Metered quantities for one calendar month."""
    noise = lambda: 1.0 + rng.gauss(0, 0.04)
    kwh = plan["base_kwh"] * seasonal(pm, plan["winter"], plan.get("summer", 0.0)) * noise()
    if acct == "ACC-1003" and (py, pm) == (2026, 10):
        kwh *= 1.45  # heat pump switched on -> "what changed" in 2026-11
    q = {"kwh": int(round(kwh))}
    if "gas_kwh" in plan:
        q["gas_kwh"] = int(round(plan["gas_kwh"] * max(0.15, seasonal(pm, plan["gas_winter"])) * noise()))
    if "gas_therm" in plan:
        q["therm"] = int(round(plan["gas_therm"] * max(0.12, seasonal(pm, plan["gas_winter"])) * noise()))
    if "water_m3" in plan:
        w = plan["water_m3"] * seasonal(pm, -0.15) * noise()  # a bit more in summer
        q["water"] = Decimal(str(round(w, 1)))
    return q


def bill_lines(acct, plan, currency, usage, py, pm, cycle):
    days = month_days(py, pm)
    items = []  # (description, quantity_str, unit, amount_minor, group, rate_str)
    for desc, kind, rate, group in plan["lines"]:
        rate = Decimal(rate)
        if kind == "kwh":
            qty, unit = Decimal(usage["kwh"]), "kWh"
        elif kind == "gas_kwh":
            qty, unit = Decimal(usage["gas_kwh"]), "kWh"
        elif kind == "therm":
            qty, unit = Decimal(usage["therm"]), "therm"
        elif kind == "water":
            qty, unit = usage["water"], "m³"
        elif kind == "day":
            qty, unit = Decimal(days), "day"
        elif kind == "month":
            qty, unit = Decimal(1), "month"
        else:
            raise ValueError(kind)
        items.append((desc, str(qty), unit, to_minor(qty * rate, currency), group, str(rate)))

    # "what changed" extras for the latest cycle
    if acct == "ACC-1001" and cycle == (2026, 11):
        items.append(("Meter replacement fee", "1", "", to_minor(Decimal("35.00"), currency), "e", None))
    if acct == "ACC-1004" and cycle == (2026, 11):
        kwh = Decimal(usage["kwh"])
        items.append(("Government energy subsidy", str(kwh), "kWh",
                      to_minor(kwh * Decimal("-3.50"), currency), "e", "-3.50"))

    for desc, pct, group in plan["taxes"]:
        base = sum(a for _, _, _, a, g, _ in items if g == group)
        items.append((desc, "1", "", pct_of(base, pct), None, None))
    return items


def generate():
    customers = []
    bills = []
    for acct, name, email, phone, channel, locale, timezone, currency, brand in CUSTOMERS:
        customers.append(dict(account_id=acct, name=name, email=email, phone=phone,
                              channel=channel, locale=locale, timezone=timezone, brand=brand))
        plan = PLANS[acct]
        rng = random.Random("%s/%s" % (SEED, acct))
        history = []  # (period_str, kwh)
        balance = None
        for cycle in CYCLES:
            cy, cm = cycle
            py, pm = prev_month(cy, cm)
            usage = period_usage(acct, plan, rng, py, pm)
            history.append((ym(py, pm), usage["kwh"]))
            items = bill_lines(acct, plan, currency, usage, py, pm, cycle)

            if balance is None:
                # opening balance: roughly one typical bill, paid in full
                charges0 = sum(i[3] for i in items)
                balance = to_minor(Decimal(charges0) * Decimal(str(round(rng.uniform(0.9, 1.1), 3)))
                                   / 10 ** MINOR_DIGITS[currency], currency)
            previous = balance
            payment = -previous if previous > 0 else 0  # normally pay in full

            if acct == "ACC-1005" and cycle == (2026, 6):
                payment = -to_minor(Decimal("40.00"), currency)  # partial payment
                items.insert(len(items), ("Late payment fee", "1", "", to_minor(Decimal("15.00"), currency), None, None))
            if acct == "ACC-1006" and cycle == (2026, 10):
                payment = -(previous + to_minor(Decimal("300.00"), currency))  # overpaid
            if acct == "ACC-1008" and cycle == (2026, 3):
                payment = 0  # missed a month, paid double the next
            if acct == "ACC-1008" and cycle == (2026, 4):
                payment = -previous

            total = previous + payment + sum(i[3] for i in items)
            balance = total
            issued = dt.date(cy, cm, 2)
            bills.append({
                "account_id": acct,
                "cycle": ym(cy, cm),
                "period_start": dt.date(py, pm, 1).isoformat(),
                "period_end": dt.date(py, pm, month_days(py, pm)).isoformat(),
                "issued_on": issued.isoformat(),
                "due_on": due_date(issued).isoformat(),
                "currency": currency,
                "amount_due": fmt(total, currency),
                "previous_balance": fmt(previous, currency),
                "payments": fmt(payment, currency),
                "lines": [dict({"description": d, "quantity": q, "unit": u, "amount": fmt(a, currency)},
                               **({"rate": r} if r else {}))
                          for d, q, u, a, _, r in items],
                "usage": [{"period": p, "quantity": str(k), "unit": "kWh"} for p, k in history[-12:]],
            })
    return customers, bills


def write(customers, bills):
    with open(os.path.join(HERE, "customers.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["account_id", "name", "email", "phone", "channel", "locale", "timezone", "brand"],
                           lineterminator="\n")
        w.writeheader()
        w.writerows(customers)
    with open(os.path.join(HERE, "bills.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for b in bills:
            f.write(json.dumps(b, ensure_ascii=False, separators=(",", ":")) + "\n")


# --------------------------------------------------------------- validation


def parse_minor(s, currency):
    assert isinstance(s, str), "amount must be a string: %r" % (s,)
    digits = MINOR_DIGITS[currency]
    neg = s.startswith("-")
    body = s[1:] if neg else s
    if digits == 0:
        assert body.isdigit(), "bad %s amount %r" % (currency, s)
        v = int(body)
    else:
        whole, _, frac = body.partition(".")
        assert whole.isdigit() and len(frac) == digits and frac.isdigit(), "bad %s amount %r" % (currency, s)
        v = int(whole) * 10 ** digits + int(frac)
    return -v if neg else v


def validate():
    import re
    with open(os.path.join(HERE, "customers.csv"), encoding="utf-8", newline="") as f:
        header = f.readline().rstrip("\n")
        assert header == "account_id,name,email,phone,channel,locale,timezone,brand", header
        f.seek(0)
        rows = list(csv.DictReader(f))
    assert len(rows) == 8
    accts = set()
    for r in rows:
        assert r["email"] or r["phone"], r
        assert r["channel"] in ("email", "sms", ""), r
        if r["channel"] == "sms":
            assert r["phone"], r
        if r["channel"] == "email":
            assert r["email"], r
        if r["phone"]:
            assert re.fullmatch(r"\+[1-9]\d{7,14}", r["phone"]), r
        if r["email"]:
            assert r["email"].rsplit("@", 1)[1] in ("example.com", "example.org", "example.net"), r
        accts.add(r["account_id"])

    per_acct = {}
    currencies = set()
    with open(os.path.join(HERE, "bills.jsonl"), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            b = json.loads(line)
            cur = b["currency"]
            currencies.add(cur)
            assert b["account_id"] in accts, n
            per_acct.setdefault(b["account_id"], []).append(b)
            lines = b["lines"]
            assert 2 <= len(lines) <= 5, (n, len(lines))
            total = parse_minor(b["previous_balance"], cur) + parse_minor(b["payments"], cur)
            assert parse_minor(b["payments"], cur) <= 0, n
            for li in lines:
                assert isinstance(li["quantity"], str) and isinstance(li["unit"], str)
                Decimal(li["quantity"])
                total += parse_minor(li["amount"], cur)
            assert total == parse_minor(b["amount_due"], cur), (n, total, b["amount_due"])
            assert 1 <= len(b["usage"]) <= 12
            assert all(isinstance(u["quantity"], str) for u in b["usage"])
            assert b["usage"][-1]["period"] == b["period_start"][:7], n
            periods = [u["period"] for u in b["usage"]]
            assert periods == sorted(periods), n
    assert currencies >= {"USD", "EUR", "JPY"}, currencies
    assert set(per_acct) == accts
    for acct, bs in per_acct.items():
        assert [b["cycle"] for b in bs] == [ym(*c) for c in CYCLES], acct
        for a, b in zip(bs, bs[1:]):
            assert a["amount_due"] == b["previous_balance"], (acct, b["cycle"])
    assert any(b["cycle"] == "2026-11" and b["amount_due"].startswith("-")
               for bs in per_acct.values() for b in bs), "need a credit in 2026-11"
    return len(rows), sum(len(v) for v in per_acct.values())


if __name__ == "__main__":
    write(*generate())
    nc, nb = validate()
    print("wrote %d customers, %d bills; validation OK" % (nc, nb))
