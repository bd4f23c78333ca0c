"""A Vietnamese scam generator with ground truth, for the demo, the tests and the benchmarks.

One call, :func:`generate_case`, makes a synthetic economic-crime case the way it reaches the
police: victims across the provinces who were called by scammers and paid collector accounts
(some of them company accounts of shell companies), the collectors forwarding the money in
daily batches through one or two layers of mule accounts (each keeping a small fee) to crypto
off-ramp wallets and ATM cash withdrawals, a cut for the organisers, small "profit" refunds to
keep victims paying, and ordinary banking traffic around it all. Records are written the way
people write them: complaints filed twice for the same victim, names with typos or without
diacritics, phones in old 11-digit or +84 forms, husbands and wives sharing one phone and one
address, bank KYC names in capitals without accents.

The ground truth (:class:`GroundTruth`) says who is who (person of each record, company of
each registry row), the ring and role of every account, the money each victim lost (payments
minus refunds), the money reaching each cash-out point, and which victim's money reached which
cash-out point ("earmarked": each batch is followed as it was sent, split proportionally).

Everything is derived from one ``numpy`` generator seeded with ``seed``: the same arguments
give the same case. Transactions are generated with array operations, so 2,000,000 of them
take seconds. Amounts are whole đồng (int64), times are local (UTC+7) naive datetimes.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["NOISE_LEVELS", "PROVINCES", "GroundTruth", "SyntheticCase", "generate_case"]

#: The 34 provinces since 1 July 2025: (code, name, population). Victims are spread by
#: population. Codes are the NSO province codes (also the first digits of a CCCD born there).
PROVINCES: tuple[tuple[str, str, int], ...] = (
    ("01", "Hà Nội", 8807523), ("04", "Cao Bằng", 573119), ("08", "Tuyên Quang", 1858056),
    ("11", "Điện Biên", 673091), ("12", "Lai Châu", 512601), ("14", "Sơn La", 1404587),
    ("15", "Lào Cai", 1770645), ("19", "Thái Nguyên", 1799489), ("20", "Lạng Sơn", 881384),
    ("22", "Quảng Ninh", 1497447), ("24", "Bắc Ninh", 3619443), ("25", "Phú Thọ", 4022493),
    ("31", "Hải Phòng", 4664124), ("33", "Hưng Yên", 3567943), ("37", "Ninh Bình", 4412264),
    ("38", "Thanh Hóa", 4320947), ("40", "Nghệ An", 3831694), ("42", "Hà Tĩnh", 1623061),
    ("44", "Quảng Trị", 1870844), ("46", "Huế", 1432986), ("48", "Đà Nẵng", 3122915),
    ("51", "Quảng Ngãi", 2161735), ("52", "Gia Lai", 3583691), ("56", "Khánh Hòa", 2243553),
    ("66", "Đắk Lắk", 3346853), ("68", "Lâm Đồng", 3872999), ("75", "Đồng Nai", 4491408),
    ("79", "TP. Hồ Chí Minh", 14668098), ("80", "Tây Ninh", 3254170), ("82", "Đồng Tháp", 4370046),
    ("86", "Vĩnh Long", 4257581), ("91", "An Giang", 4995214), ("92", "Cần Thơ", 4199788),
    ("96", "Cà Mau", 1988464),
)  # fmt: skip

#: Real Hai Phong wards and communes (NSO code, name) for victims living in Hai Phong; other
#: provinces get plausible commune names.
HAI_PHONG_COMMUNES = (
    ("11311", "Phường Hồng Bàng"), ("11329", "Phường Ngô Quyền"), ("11455", "Phường Đồ Sơn"),
    ("11446", "Phường Phù Liễn"), ("10532", "Phường Lê Thanh Nghị"), ("10678", "Phường Bắc An Phụ"),
    ("11629", "Xã An Lão"), ("11635", "Xã An Trường"), ("11809", "Xã Hùng Thắng"), ("11848", "Xã Vĩnh Hòa"),
)  # fmt: skip
_COMMUNE_NAMES = (
    "Phường An Phú", "Phường Tân Định", "Phường Hòa Bình", "Phường Thành Công", "Phường Tây Hồ",
    "Xã Tân Lập", "Xã Phú Thịnh", "Xã Quang Trung", "Xã Đông Hưng", "Xã Hòa Lạc",
)  # fmt: skip

_SURNAMES = (
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 2), ("Phan", 4.5),
    ("Vũ", 3.9), ("Võ", 2), ("Đặng", 2.1), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3),
    ("Dương", 1), ("Lý", 0.5), ("Đinh", 0.6), ("Trịnh", 0.5), ("Mai", 0.4), ("Lương", 0.4),
)  # fmt: skip
_MIDDLE = {
    "male": ("Văn", "Đức", "Minh", "Quang", "Hữu", "Thành", "Công", "Xuân", "Mạnh", "Tiến"),
    "female": ("Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Minh", "Phương", "Kim", "Thùy", "Bích"),
}
_GIVEN = {
    "male": ("An", "Anh", "Bình", "Cường", "Dũng", "Đức", "Hải", "Hùng", "Huy", "Khánh", "Long", "Minh",
             "Nam", "Phong", "Quân", "Sơn", "Thắng", "Tuấn", "Tùng", "Việt", "Hiếu", "Đạt", "Lâm", "Trung"),
    "female": ("Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Mai",
               "Ngọc", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Trang", "Vân", "Yến", "Hiền", "Thủy", "Loan"),
}  # fmt: skip
_STREETS = ("Lạch Tray", "Trần Phú", "Lê Lợi", "Nguyễn Trãi", "Hai Bà Trưng", "Quang Trung", "Lý Thường Kiệt",
            "Điện Biên Phủ", "Trần Hưng Đạo", "Lê Duẩn", "Cầu Đất", "Tô Hiệu")  # fmt: skip
_COMPANY_WORDS = ("Đầu tư", "Thương mại", "Tài chính", "Công nghệ", "Phát triển", "Dịch vụ", "Xuất nhập khẩu")
_COMPANY_NAMES = ("Hưng Thịnh", "Phú Quý", "Kim Long", "Thiên Phát", "Đại Tín", "An Khang", "Minh Tâm",
                  "Vạn Lợi", "Hoàng Gia", "Tân Tiến", "Sao Việt", "Bảo Châu")  # fmt: skip
#: (code, name as people write it) of banks victims, mules and shells use; codes as in
#: :data:`anninh.network.normalize.BANKS`.
_BANKS = (
    ("VCB", "Vietcombank"), ("ICB", "VietinBank"), ("BIDV", "BIDV"), ("VBA", "Agribank"),
    ("TCB", "Techcombank"), ("MB", "MB Bank"), ("ACB", "ACB"), ("VPB", "VPBank"), ("STB", "Sacombank"),
    ("TPB", "TPBank"), ("VIB", "VIB"), ("SHB", "SHB"), ("MSB", "MSB"), ("OCB", "OCB"), ("LPB", "LPBank"),
)  # fmt: skip
_BANK_SPELLINGS = {
    "VCB": ("Vietcombank", "VCB", "Ngân hàng TMCP Ngoại thương Việt Nam", "NH Ngoai Thuong"),
    "ICB": ("VietinBank", "Vietinbank", "Ngân hàng Công thương", "CTG"),
    "BIDV": ("BIDV", "Ngân hàng Đầu tư và Phát triển"),
    "VBA": ("Agribank", "Ngân hàng Nông nghiệp"),
    "TCB": ("Techcombank", "TCB", "Ngân hàng Kỹ thương"),
    "MB": ("MB Bank", "MB", "Ngân hàng Quân đội", "MBBank"),
}
_MOBILE_PREFIXES = ("32", "33", "34", "35", "36", "37", "38", "39", "70", "76", "77", "78", "79",
                    "81", "82", "83", "84", "85", "86", "88", "90", "91", "93", "94", "96", "97", "98")  # fmt: skip
#: 10-digit prefix → the 11-digit one it replaced in 2018 (people still write the old ones).
_OLD_PREFIX = {
    "32": "162", "33": "163", "34": "164", "35": "165", "36": "166", "37": "167", "38": "168", "39": "169",
    "70": "120", "79": "121", "77": "122", "76": "126", "78": "128",
    "83": "123", "84": "124", "85": "125", "81": "127", "82": "129",
}  # fmt: skip

#: What each noise level does to the records (probabilities per record or per field).
NOISE_LEVELS: dict[str, dict[str, float]] = {
    "low": {"duplicate": 0.15, "typo": 0.03, "no_diacritics": 0.15, "drop_middle": 0.02,
            "missing_cccd": 0.05, "cccd_typo": 0.0, "missing_birth": 0.05, "phone_form": 0.3,
            "old_phone": 0.1, "family": 0.05, "company_name": 0.3, "missing_tax": 0.1},
    "medium": {"duplicate": 0.3, "typo": 0.1, "no_diacritics": 0.35, "drop_middle": 0.05,
               "missing_cccd": 0.25, "cccd_typo": 0.02, "missing_birth": 0.15, "phone_form": 0.6,
               "old_phone": 0.25, "family": 0.1, "company_name": 0.6, "missing_tax": 0.3},
    "high": {"duplicate": 0.5, "typo": 0.25, "no_diacritics": 0.6, "drop_middle": 0.1,
             "missing_cccd": 0.5, "cccd_typo": 0.05, "missing_birth": 0.3, "phone_form": 0.9,
             "old_phone": 0.4, "family": 0.15, "company_name": 0.9, "missing_tax": 0.5},
}  # fmt: skip

ROLES = ("victim", "collector", "mule", "organiser", "cash_out", "background")
_START = np.datetime64("2025-03-01T00:00:00", "s")
_DAYS = 120
_DAY = np.timedelta64(1, "D").astype("timedelta64[s]").astype(np.int64)


@dataclass
class GroundTruth:
    """What really happened; every figure here is exact by construction."""

    #: people record_id → true person id (records of one person share it)
    person_of_record: pd.Series
    #: company registry record_id → true company id
    company_of_record: pd.Series
    #: node (account key, wallet key or ``CASH:<account>``) → ring number; victims and
    #: background accounts absent
    account_ring: pd.Series
    #: node → role (collector, mule, organiser, cash_out, victim, background)
    account_role: pd.Series
    #: true person id of each victim → ring that defrauded them
    ring_of_victim: pd.Series
    #: victim person id → payments into the network, refunds back, and money lost (đồng)
    payments_total: pd.Series
    refunds_total: pd.Series
    money_lost: pd.Series
    #: cash-out node → victims' money that reached it (đồng)
    cash_out_received: pd.Series
    #: (person_id, cash_out, amount): each victim's money reaching each cash-out point,
    #: following every batch as it was sent (floats; per victim they sum to what reached)
    victim_cash_out: pd.DataFrame
    #: kind of each transaction, aligned with ``SyntheticCase.transactions``: payment, refund,
    #: layering, cut, cash_out, background
    transaction_kind: pd.Series
    #: number of distinct victims (persons, not complaints)
    distinct_victims: int
    #: pairs of distinct people who share a phone (families): never to be merged
    shared_phone_pairs: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class SyntheticCase:
    seed: int
    noise: str
    #: one row per complaint record: record_id, name, cccd, phone, birth_date, sex, province,
    #: province_code, commune, commune_code, address, complaint_date, claimed_loss, payments
    victims: pd.DataFrame
    #: the payments each complaint lists: record_id, bank (as written), number, account (key),
    #: amount, time
    payments: pd.DataFrame
    #: every person record (complaints, bank KYC of the network's accounts, company registry):
    #: record_id, source, name, birth_date, sex, cccd, phone, province, commune, address
    people: pd.DataFrame
    #: bank accounts of victims and of the network: account, bank, number, holder_record_id,
    #: holder_company_record_id, holder_name
    accounts: pd.DataFrame
    #: wallets of the network: wallet, chain, address, holder_record_id
    wallets: pd.DataFrame
    #: company registry rows: record_id, name, tax_code, legal_rep_record_id, address, province
    companies: pd.DataFrame
    #: id, source, target, amount, currency, time, channel
    transactions: pd.DataFrame
    #: id, caller, callee, time, duration_s
    calls: pd.DataFrame
    truth: GroundTruth


# --- helpers -----------------------------------------------------------------------------------


def _strip_marks(text: str) -> str:
    out = "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", out.replace("đ", "d").replace("Đ", "D"))


_KEYBOARD_NEIGHBOURS = {
    "a": "sq", "n": "bm", "h": "gj", "u": "yi", "i": "uo", "o": "ip", "e": "wr", "g": "fh",
    "t": "ry", "m": "n", "c": "xv", "y": "tu", "l": "k", "d": "sf", "r": "et", "s": "ad",
}  # fmt: skip


def _typo(rng: np.random.Generator, name: str) -> str:
    words = name.split()
    idx = int(rng.integers(len(words)))
    word = words[idx]
    if len(word) < 3:
        return name
    pos = int(rng.integers(1, len(word)))
    op = int(rng.integers(4))
    if op == 0:  # swap two neighbours
        pos = min(pos, len(word) - 2)
        word = word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :]
    elif op == 1:  # drop a letter
        word = word[:pos] + word[pos + 1 :]
    elif op == 2:  # neighbouring key
        near = _KEYBOARD_NEIGHBOURS.get(_strip_marks(word[pos]).lower(), "e")
        word = word[:pos] + near[int(rng.integers(len(near)))] + word[pos + 1 :]
    else:  # doubled letter
        word = word[:pos] + word[pos] + word[pos:]
    words[idx] = word
    return " ".join(words)


def _written_name(rng: np.random.Generator, name: str, noise: dict[str, float]) -> str:
    if rng.random() < noise["drop_middle"] and len(name.split()) > 2:
        parts = name.split()
        name = f"{parts[0]} {parts[-1]}"
    if rng.random() < noise["typo"]:
        name = _typo(rng, name)
    if rng.random() < noise["no_diacritics"]:
        name = _strip_marks(name)
    if rng.random() < 0.1:
        name = name.upper()
    return name


def _written_phone(rng: np.random.Generator, national9: str, noise: dict[str, float]) -> str:
    """A mobile (9 national digits) as someone would write it."""
    if rng.random() < noise["old_phone"] and national9[:2] in _OLD_PREFIX:
        old = "0" + _OLD_PREFIX[national9[:2]] + national9[2:]
        return old if rng.random() < 0.5 else f"{old[:4]} {old[4:7]} {old[7:]}"
    if rng.random() >= noise["phone_form"]:
        return "0" + national9
    form = int(rng.integers(5))
    return (
        f"0{national9[:3]} {national9[3:6]} {national9[6:]}",
        f"+84 {national9[:2]} {national9[2:5]} {national9[5:]}",
        f"84{national9}",
        f"0084{national9}",
        f"(+84) {national9[:2]}-{national9[2:5]}-{national9[5:]}",
    )[form]


def _mst(rng: np.random.Generator, province: str) -> str:
    from anninh.lib.identifiers import mst_check_digit

    while True:
        nine = f"{int(province):02d}{int(rng.integers(1, 10**7)):07d}"
        check = mst_check_digit(nine)
        if check is not None:
            return nine + str(check)


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _tron_address(rng: np.random.Generator) -> str:
    payload = b"\x41" + rng.bytes(20)
    raw = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    value = int.from_bytes(raw, "big")
    out = ""
    while value:
        value, rem = divmod(value, 58)
        out = _B58[rem] + out
    return out


def _account_numbers(rng: np.random.Generator, n: int, taken: set[str]) -> list[str]:
    """n distinct bank account keys ``CODE:digits`` not in ``taken`` (which is updated)."""
    codes = np.array([code for code, _ in _BANKS])
    out: list[str] = []
    while len(out) < n:
        need = n - len(out)
        banks = codes[rng.integers(len(codes), size=need)]
        lengths = rng.integers(10, 14, size=need)
        numbers = rng.integers(10**9, 10**13, size=need, dtype=np.int64)
        for bank, length, number in zip(banks, lengths, numbers, strict=True):
            key = f"{bank}:{str(number).zfill(13)[-int(length) :]}"
            if key not in taken:
                taken.add(key)
                out.append(key)
    return out


class _People:
    """Builds true persons and their written records."""

    def __init__(self, rng: np.random.Generator, noise: dict[str, float]) -> None:
        self.rng, self.noise = rng, noise
        self.persons: list[dict] = []
        self.records: list[dict] = []
        self.phones: set[str] = set()
        self.cccds: set[str] = set()
        surnames, weights = zip(*_SURNAMES, strict=True)
        self.surnames = surnames
        self.surname_p = np.array(weights) / sum(weights)
        pops = np.array([p for _, _, p in PROVINCES], dtype=float)
        self.province_p = pops / pops.sum()

    def new_phone(self) -> str:
        while True:
            prefix = _MOBILE_PREFIXES[int(self.rng.integers(len(_MOBILE_PREFIXES)))]
            national = prefix + f"{int(self.rng.integers(10**7)):07d}"
            if national not in self.phones:
                self.phones.add(national)
                return national

    def person(self, *, province: int | None = None, sex: str | None = None, surname: str | None = None,
               phone: str | None = None, address: str | None = None, commune: tuple[str, str] | None = None) -> dict:  # fmt: skip
        rng = self.rng
        sex = sex or ("male" if rng.random() < 0.5 else "female")
        if province is None:
            province = int(rng.choice(len(PROVINCES), p=self.province_p))
        code, pname, _ = PROVINCES[province]
        surname = surname or str(rng.choice(self.surnames, p=self.surname_p))
        middle = _MIDDLE[sex][int(rng.integers(len(_MIDDLE[sex])))]
        given = _GIVEN[sex][int(rng.integers(len(_GIVEN[sex])))]
        while given == middle:
            given = _GIVEN[sex][int(rng.integers(len(_GIVEN[sex])))]
        name = f"{surname} {middle} {given}"
        if rng.random() < 0.15:  # a second middle name: Nguyễn Thị Thu Hà
            extra = _MIDDLE[sex][int(rng.integers(len(_MIDDLE[sex])))]
            if extra != middle:
                name = f"{surname} {middle} {extra} {given}"
        year = int(rng.integers(1950, 2006))
        birth = dt_date(year, int(rng.integers(1, 13)), int(rng.integers(1, 29)))
        century = (year - 1900) // 100 * 2 + (1 if sex == "female" else 0)
        while True:
            cccd = f"0{code}{century}{year % 100:02d}{int(rng.integers(10**6)):06d}"
            if cccd not in self.cccds:
                self.cccds.add(cccd)
                break
        if commune is None:
            if code == "31":
                commune = HAI_PHONG_COMMUNES[int(rng.integers(len(HAI_PHONG_COMMUNES)))]
            else:
                commune = ("", _COMMUNE_NAMES[int(rng.integers(len(_COMMUNE_NAMES)))])
        if address is None:
            street = _STREETS[int(rng.integers(len(_STREETS)))]
            address = f"Số {int(rng.integers(1, 300))} {street}, {commune[1]}, {pname}"
        person = {
            "person_id": f"P{len(self.persons):06d}", "name": name, "sex": sex, "birth_date": birth,
            "cccd": cccd, "phone": phone or self.new_phone(), "province": pname, "province_code": code,
            "commune": commune[1], "commune_code": commune[0], "address": address,
        }  # fmt: skip
        self.persons.append(person)
        return person

    def record(self, person: dict, source: str, *, exact: bool = False) -> str:
        rng, noise = self.rng, self.noise
        record_id = f"R{len(self.records):07d}"
        if exact:  # bank KYC: the CCCD checked against the card, the name in capitals, no accents
            name = _strip_marks(person["name"]).upper()
            if rng.random() < noise["typo"] / 2:
                name = _typo(rng, name)
            cccd, birth, phone = person["cccd"], person["birth_date"], "0" + person["phone"]
        else:
            name = _written_name(rng, person["name"], noise)
            cccd = None if rng.random() < noise["missing_cccd"] else person["cccd"]
            if cccd and rng.random() < noise["cccd_typo"]:
                pos = int(rng.integers(6, 12))
                cccd = cccd[:pos] + str((int(cccd[pos]) + 1) % 10) + cccd[pos + 1 :]
            birth = None if rng.random() < noise["missing_birth"] else person["birth_date"]
            phone = _written_phone(rng, person["phone"], noise)
        self.records.append({
            "record_id": record_id, "person_id": person["person_id"], "source": source, "name": name,
            "birth_date": birth, "sex": person["sex"], "cccd": cccd, "phone": phone,
            "province": person["province"], "commune": person["commune"], "address": person["address"],
        })  # fmt: skip
        return record_id


def dt_date(year: int, month: int, day: int) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}"


# --- the case -----------------------------------------------------------------------------------


def generate_case(
    *, victims: int = 500, seed: int = 0, noise: str = "low", transactions: int | None = None
) -> SyntheticCase:
    """A synthetic scam case with ``victims`` distinct victims.

    ``transactions`` is the total number of transactions wanted: the scam's own (about ten per
    victim) plus ordinary banking traffic up to that number (default: three times the scam's);
    a number below the scam's own gives the scam's transactions only.
    ``noise`` ("low", "medium", "high") sets how the records are written (see
    :data:`NOISE_LEVELS`).
    """
    if noise not in NOISE_LEVELS:
        raise ValueError(f"noise must be one of {sorted(NOISE_LEVELS)}")
    if victims < 1:
        raise ValueError("victims must be at least 1")
    rng = np.random.default_rng(seed)
    level = NOISE_LEVELS[noise]
    people = _People(rng, level)
    taken: set[str] = set()

    # --- rings: organisers, collectors (some through shell companies), mules, cash-out points
    n_rings = max(1, round(victims / 250))
    node_ring: dict[str, int] = {}
    node_role: dict[str, str] = {}
    account_rows: list[dict] = []
    wallet_rows: list[dict] = []
    company_rows: list[dict] = []
    company_truth: dict[str, str] = {}
    callers: list[list[str]] = []
    rings: list[dict] = []
    for ring in range(n_rings):
        province = int(rng.integers(len(PROVINCES)))
        organisers = [people.person(province=province) for _ in range(int(rng.integers(1, 3)))]
        holders = [people.person() for _ in range(int(rng.integers(3, 7)))]  # rent out accounts
        ring_phones = [people.new_phone() for _ in range(int(rng.integers(2, 5)))]
        callers.append(ring_phones)

        def open_accounts(owner: dict, count: int, role: str, company_record: str | None = None,
                          *, ring: int = ring) -> list[str]:  # fmt: skip
            keys = _account_numbers(rng, count, taken)
            kyc = people.record(owner, "account_holder", exact=True)
            for key in keys:
                code, number = key.split(":")
                spellings = _BANK_SPELLINGS.get(code, (dict(_BANKS)[code],))
                account_rows.append({
                    "account": key, "bank": spellings[int(rng.integers(len(spellings)))], "number": number,
                    "holder_record_id": kyc, "holder_company_record_id": company_record,
                    "holder_name": people.records[-1]["name"] if company_record is None else None,
                })  # fmt: skip
                node_ring[key], node_role[key] = ring, role
            return keys

        # shell companies whose accounts collect; the legal representative is a holder
        collectors: list[str] = []
        for _ in range(int(rng.integers(1, 3))):
            rep = holders[int(rng.integers(len(holders)))]
            company_id = f"C{len(company_truth) + len(company_rows):05d}"
            words = _COMPANY_WORDS[int(rng.integers(len(_COMPANY_WORDS)))]
            brand = _COMPANY_NAMES[int(rng.integers(len(_COMPANY_NAMES)))]
            legal = f"Công ty TNHH {words} {brand}"
            seat = f"Số {int(rng.integers(1, 200))} {_STREETS[int(rng.integers(len(_STREETS)))]}, {PROVINCES[province][1]}"
            tax = _mst(rng, PROVINCES[province][0])
            if rng.random() < 0.3:
                tax += f"-{int(rng.integers(1, 4)):03d}"
            extracts = 1 + int(rng.random() < level["duplicate"] + 0.3)
            first_record = None
            for _ in range(extracts):
                record_id = f"K{len(company_rows):06d}"
                first_record = first_record or record_id
                name = legal
                if rng.random() < level["company_name"]:
                    name = legal.replace(
                        "Công ty TNHH", ["CÔNG TY TNHH", "Cty TNHH", "CT TNHH"][int(rng.integers(3))]
                    )
                    if rng.random() < 0.5:
                        name = _strip_marks(name)
                    if rng.random() < level["typo"]:
                        name = _typo(rng, name)
                rep_record = people.record(rep, "company_registry")
                company_rows.append({
                    "record_id": record_id, "name": name,
                    "tax_code": None if rng.random() < level["missing_tax"] and len(company_rows) > 0 else tax,
                    "legal_rep_record_id": rep_record, "legal_rep_name": people.records[-1]["name"],
                    "address": _strip_marks(seat) if rng.random() < level["no_diacritics"] else seat,
                    "province": PROVINCES[province][1],
                })  # fmt: skip
                company_truth[record_id] = company_id
            collectors += open_accounts(rep, 1, "collector", company_record=first_record)
        for holder in holders[: max(1, len(holders) // 2)]:
            collectors += open_accounts(holder, int(rng.integers(1, 3)), "collector")
        mules1: list[str] = []
        mules2: list[str] = []
        for holder in holders[len(holders) // 2 :]:
            mules1 += open_accounts(holder, int(rng.integers(1, 4)), "mule")
        for _ in range(int(rng.integers(1, 4))):
            mules2 += open_accounts(people.person(), int(rng.integers(1, 3)), "mule")
        organiser_accounts = [a for org in organisers for a in open_accounts(org, 1, "organiser")]
        cash_outs: list[str] = []
        for _ in range(int(rng.integers(1, 4))):
            owner = organisers[int(rng.integers(len(organisers)))]
            owner_record = people.record(owner, "exchange_kyc", exact=True)
            address = _tron_address(rng)
            key = f"TRON:{address}"
            wallet_rows.append(
                {"wallet": key, "chain": "TRON", "address": address, "holder_record_id": owner_record}
            )
            node_ring[key], node_role[key] = ring, "cash_out"
            cash_outs.append(key)
        for mule in mules2[: max(1, len(mules2) // 2)]:
            key = f"CASH:{mule}"
            node_ring[key], node_role[key] = ring, "cash_out"
            cash_outs.append(key)
        org_cash = f"TRON:{_tron_address(rng)}"
        wallet_rows.append({"wallet": org_cash, "chain": "TRON", "address": org_cash[5:],
                            "holder_record_id": people.record(organisers[0], "exchange_kyc", exact=True)})  # fmt: skip
        node_ring[org_cash], node_role[org_cash] = ring, "cash_out"
        for phone in ring_phones:  # the callers' SIMs are registered to the organisers
            people.phones.add(phone)
        rings.append({
            "collectors": collectors, "mules1": mules1, "mules2": mules2, "organisers": organiser_accounts,
            "wallets": [c for c in cash_outs if not c.startswith("CASH:")], "org_cash": org_cash, "organiser_phones": [o["phone"] for o in organisers],
            "holder_phones": [h["phone"] for h in holders],
        })  # fmt: skip

    # --- victims: persons, their own accounts, complaint records (some filed twice), families
    victim_persons: list[dict] = []
    shared_pairs: list[tuple[str, str]] = []
    while len(victim_persons) < victims:
        person = people.person()
        victim_persons.append(person)
        if len(victim_persons) < victims and rng.random() < level["family"]:
            # the spouse, defrauded too: same phone and address, another name and card
            spouse = people.person(
                province=[p[1] for p in PROVINCES].index(person["province"]),
                sex="female" if person["sex"] == "male" else "male",
                phone=person["phone"],
                address=person["address"],
                commune=(person["commune_code"], person["commune"]),
            )
            victim_persons.append(spouse)
            shared_pairs.append((person["person_id"], spouse["person_id"]))
    victim_ids = np.array([p["person_id"] for p in victim_persons])
    victim_accounts = _account_numbers(rng, victims, taken)
    for person, key in zip(victim_persons, victim_accounts, strict=True):
        node_role[key] = "victim"
        code, number = key.split(":")
        account_rows.append({"account": key, "bank": dict(_BANKS)[code], "number": number,
                             "holder_record_id": None, "holder_company_record_id": None,
                             "holder_name": _strip_marks(person["name"]).upper()})  # fmt: skip
    victim_ring = rng.integers(n_rings, size=victims)

    # payments: 1-6 per victim, growing ("profits" shown, then a bigger deposit asked)
    n_pay = np.minimum(1 + rng.geometric(0.45, size=victims) - 1, 6)
    pay_victim = np.repeat(np.arange(victims), n_pay)
    first_day = rng.integers(0, _DAYS - 20, size=victims)
    order = np.arange(len(pay_victim)) - np.repeat(np.cumsum(n_pay) - n_pay, n_pay)
    pay_time = (
        first_day[pay_victim] * _DAY + order * rng.integers(_DAY // 2, 4 * _DAY, size=len(pay_victim))
        + rng.integers(7 * 3600, 22 * 3600, size=len(pay_victim))
    )  # fmt: skip
    base = np.exp(rng.normal(np.log(30e6), 0.9, size=victims))
    pay_amount = (base[pay_victim] * (1 + 0.6 * order) // 100_000 * 100_000).astype(np.int64)
    pay_amount = np.maximum(pay_amount, 500_000)
    pay_ring = victim_ring[pay_victim]
    pay_collector = np.array(
        [rings[r]["collectors"][int(i) % len(rings[r]["collectors"])] for r, i in
         zip(pay_ring, rng.integers(0, 1000, size=len(pay_victim)), strict=True)], dtype=object)  # fmt: skip
    victim_account_arr = np.array(victim_accounts, dtype=object)

    # refunds: some victims get a small "profit" back a day or two after their first payment,
    # paid by the collector from the 10 % it keeps of each batch
    first_pay = np.cumsum(n_pay) - n_pay
    refunded = rng.random(victims) < 0.3
    ref_victim = np.flatnonzero(refunded)
    ref_idx = first_pay[ref_victim]
    ref_amount = (pay_amount[ref_idx] * rng.uniform(0.03, 0.1, size=len(ref_victim)) // 1000 * 1000).astype(
        np.int64
    )
    ref_time = pay_time[ref_idx] + rng.integers(_DAY, 2 * _DAY, size=len(ref_victim))

    # batches: each collector forwards 90 % of each day's takings after the day ends
    pay_df = pd.DataFrame({"victim": pay_victim, "collector": pay_collector, "day": pay_time // _DAY,
                           "amount": pay_amount, "ring": pay_ring})  # fmt: skip
    pay_df["batch"] = pay_df.groupby(["collector", "day"], sort=True).ngroup()
    batches = pay_df.groupby("batch").agg(collector=("collector", "first"), day=("day", "first"),
                                          total=("amount", "sum"), ring=("ring", "first"))  # fmt: skip
    nb = len(batches)
    b_ring = batches["ring"].to_numpy()
    b_forward = (batches["total"].to_numpy() * 9 // 10).astype(np.int64)
    b_time = (batches["day"].to_numpy() + 1) * _DAY + rng.integers(8 * 3600, 12 * 3600, size=nb)

    tx_src: list[np.ndarray] = []
    tx_dst: list[np.ndarray] = []
    tx_amt: list[np.ndarray] = []
    tx_time: list[np.ndarray] = []
    tx_channel: list[np.ndarray] = []
    tx_kind: list[np.ndarray] = []
    # flow[i] = (batch, cash_out node, amount) pieces for the earmarked truth
    pieces: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def emit(src, dst, amt, time, channel, kind) -> None:
        tx_src.append(np.asarray(src, dtype=object))
        tx_dst.append(np.asarray(dst, dtype=object))
        tx_amt.append(np.asarray(amt, dtype=np.int64))
        tx_time.append(np.asarray(time, dtype=np.int64))
        tx_channel.append(np.full(len(src), channel, dtype=object))
        tx_kind.append(np.full(len(src), kind, dtype=object))

    emit(victim_account_arr[pay_victim], pay_collector, pay_amount, pay_time, "internet_banking", "payment")
    emit(
        pay_collector[ref_idx],
        victim_account_arr[ref_victim],
        ref_amount,
        ref_time,
        "internet_banking",
        "refund",
    )

    def pick(lists_key: str, ring_of: np.ndarray) -> np.ndarray:
        draws = rng.integers(0, 1000, size=len(ring_of))
        return np.array([rings[r][lists_key][int(i) % len(rings[r][lists_key])] for r, i in
                         zip(ring_of, draws, strict=True)], dtype=object)  # fmt: skip

    # collector → 1-3 first-layer mules (the batch split in parts)
    parts = rng.integers(1, 4, size=nb)
    s_batch = np.repeat(np.arange(nb), parts)
    weights = rng.uniform(0.5, 1.5, size=len(s_batch))
    wsum = np.bincount(s_batch, weights=weights)
    s_amount = np.floor(b_forward[s_batch] * weights / wsum[s_batch]).astype(np.int64)
    s_amount[np.cumsum(parts) - 1] += b_forward - np.bincount(s_batch, weights=s_amount).astype(np.int64)
    s_ring = b_ring[s_batch]
    s_mule = pick("mules1", s_ring)
    s_time = b_time[s_batch] + rng.integers(60, 3600, size=len(s_batch))
    emit(batches["collector"].to_numpy()[s_batch], s_mule, s_amount, s_time, "internet_banking", "layering")
    # mule 1 keeps 1-2 % and forwards the rest within hours, to a second-layer mule (70 %) or
    # straight to a cash-out point (30 %)
    fee = rng.uniform(0.01, 0.02, size=len(s_batch))
    m_amount = (s_amount * (1 - fee) // 1000 * 1000).astype(np.int64)
    m_time = s_time + rng.integers(600, 6 * 3600, size=len(s_batch))
    to_layer2 = rng.random(len(s_batch)) < 0.7
    m2 = pick("mules2", s_ring)
    direct = pick("wallets", s_ring)
    emit(
        s_mule[to_layer2],
        m2[to_layer2],
        m_amount[to_layer2],
        m_time[to_layer2],
        "internet_banking",
        "layering",
    )
    # mule 2: 10 % cut to an organiser, the rest (less its own 1 %) to a cash-out point
    l2 = np.flatnonzero(to_layer2)
    cut = (m_amount[l2] // 10 // 1000 * 1000).astype(np.int64)
    out2 = ((m_amount[l2] - cut) * 0.99 // 1000 * 1000).astype(np.int64)
    c_time = m_time[l2] + rng.integers(600, 3 * 3600, size=len(l2))
    org = pick("organisers", s_ring[l2])
    emit(m2[l2], org, cut, c_time, "internet_banking", "cut")
    # to a crypto off-ramp wallet, or (30 %) cash at an ATM from the mule's own account
    dest2 = pick("wallets", s_ring[l2])
    own_cash = np.array([f"CASH:{m}" for m in m2[l2]], dtype=object)
    atm = (rng.random(len(l2)) < 0.3) & np.array(
        [node_role.get(c) == "cash_out" for c in own_cash], dtype=bool
    )
    dest2 = np.where(atm, own_cash, dest2)
    d_time = c_time + rng.integers(600, 3 * 3600, size=len(l2))
    channel2 = np.where(atm, "atm_withdrawal", "crypto_purchase")
    for ch in ("atm_withdrawal", "crypto_purchase"):
        sel = channel2 == ch
        emit(m2[l2][sel], dest2[sel], out2[sel], d_time[sel], ch, "cash_out")
    pieces.append((s_batch[l2], dest2, out2.astype(float)))
    # first-layer mules going straight to cash-out: crypto only (no cash from their accounts)
    l1 = np.flatnonzero(~to_layer2)
    dest1 = direct[l1]
    emit(s_mule[l1], dest1, m_amount[l1], m_time[l1], "crypto_purchase", "cash_out")
    pieces.append((s_batch[l1], dest1, m_amount[l1].astype(float)))
    # organisers move each cut to their own wallet within two days
    org_dest = np.array([rings[r]["org_cash"] for r in s_ring[l2]], dtype=object)
    emit(
        org, org_dest, cut, c_time + rng.integers(3600, 2 * _DAY, size=len(l2)), "crypto_purchase", "cash_out"
    )
    pieces.append((s_batch[l2], org_dest, cut.astype(float)))

    # --- ordinary traffic among other accounts and the victims' own accounts
    scam_tx = sum(len(a) for a in tx_src)
    n_background = max(0, (transactions - scam_tx) if transactions is not None else 3 * scam_tx)
    if n_background:
        pool_size = max(1000, n_background // 20)
        pool = np.array(_account_numbers(rng, pool_size, taken) + victim_accounts, dtype=object)
        src_i = rng.integers(len(pool), size=n_background)
        dst_i = (src_i + rng.integers(1, len(pool), size=n_background)) % len(pool)
        amounts = np.maximum(np.exp(rng.normal(np.log(2e6), 1.3, size=n_background)) // 1000 * 1000, 10_000)
        emit(pool[src_i], pool[dst_i], amounts.astype(np.int64), rng.integers(0, _DAYS * _DAY, size=n_background),
             "internet_banking", "background")  # fmt: skip
        for key in pool[:pool_size]:
            node_role[key] = "background"

    # --- the table of transactions, in time order
    times = np.concatenate(tx_time)
    order_t = np.argsort(times, kind="stable")
    n_tx = len(times)
    transactions_df = pd.DataFrame({
        "id": pd.Series(np.char.add("T", np.char.zfill(np.arange(1, n_tx + 1).astype(str), 9))),
        "source": np.concatenate(tx_src)[order_t],
        "target": np.concatenate(tx_dst)[order_t],
        "amount": np.concatenate(tx_amt)[order_t],
        "currency": "VND",
        "time": _START + times[order_t].astype("timedelta64[s]"),
        "channel": np.concatenate(tx_channel)[order_t],
    })  # fmt: skip
    kinds = pd.Series(np.concatenate(tx_kind)[order_t], name="kind")

    # --- calls: ring phones call victims before their first payment; organisers call holders
    call_callee = [victim_persons[v]["phone"] for v in pay_victim[first_pay]]
    call_caller = [callers[r][int(i) % len(callers[r])] for r, i in
                   zip(victim_ring, rng.integers(0, 100, size=victims), strict=True)]  # fmt: skip
    call_time = pay_time[first_pay] - rng.integers(3600, 3 * _DAY, size=victims)
    org_calls = [(o, h) for ring in rings for o in ring["organiser_phones"] for h in ring["holder_phones"]]
    calls_df = pd.DataFrame({
        "caller": ["+84" + c for c in call_caller] + ["+84" + o for o, _ in org_calls],
        "callee": ["+84" + c for c in call_callee] + ["+84" + h for _, h in org_calls],
        "time": np.concatenate([_START + call_time.astype("timedelta64[s]"),
                                _START + rng.integers(0, _DAYS * _DAY, size=len(org_calls)).astype("timedelta64[s]")]),
        "duration_s": rng.integers(20, 1200, size=victims + len(org_calls)),
    }).sort_values("time", kind="stable").reset_index(drop=True)  # fmt: skip
    calls_df.insert(0, "id", [f"CL{i:07d}" for i in range(1, len(calls_df) + 1)])

    # --- complaints: each victim files once, some twice (another unit, another spelling)
    complaint_rows: list[dict] = []
    payment_rows: list[dict] = []
    pay_offsets = np.concatenate([[0], np.cumsum(n_pay)])
    for v, person in enumerate(victim_persons):
        filings = 1 + int(rng.random() < level["duplicate"]) + int(rng.random() < level["duplicate"] / 4)
        idx = np.arange(pay_offsets[v], pay_offsets[v + 1])
        total = int(pay_amount[idx].sum())
        last = int(pay_time[idx].max())
        for _ in range(filings):
            record_id = people.record(person, "complaint")
            record = people.records[-1]
            claimed = int(round(total * rng.choice([1.0, 1.0, 1.0, 0.9, 1.1]) / 100_000) * 100_000)
            complaint_rows.append({
                **{k: record[k] for k in ("record_id", "name", "cccd", "phone", "birth_date", "sex",
                                          "province", "commune", "address")},
                "province_code": person["province_code"], "commune_code": person["commune_code"],
                "complaint_date": (_START + np.timedelta64(last + int(rng.integers(2, 30)) * _DAY, "s")).astype("datetime64[D]"),
                "claimed_loss": claimed, "payments": len(idx),
            })  # fmt: skip
            for i in idx:
                key = pay_collector[i]
                code, number = key.split(":")
                spellings = _BANK_SPELLINGS.get(code, (dict(_BANKS)[code],))
                payment_rows.append({
                    "record_id": record_id, "bank": spellings[int(rng.integers(len(spellings)))],
                    "number": number if rng.random() > level["phone_form"] / 3 else f"{number[:4]} {number[4:8]} {number[8:]}",
                    "account": key, "amount": int(pay_amount[i]),
                    "time": _START + np.timedelta64(int(pay_time[i]), "s"),
                })  # fmt: skip
    # --- ground truth
    records = pd.DataFrame(people.records)
    person_of_record = records.set_index("record_id")["person_id"]
    people_df = records.drop(columns=["person_id"])
    paid = pd.Series(
        np.bincount(pay_victim, weights=pay_amount, minlength=victims).astype(np.int64), index=victim_ids
    )
    refunds = pd.Series(
        np.bincount(ref_victim, weights=ref_amount, minlength=victims).astype(np.int64), index=victim_ids
    )
    used = set(transactions_df["target"].unique())
    for key in [k for k in node_role if k.startswith("CASH:") and k not in used]:
        del node_role[key], node_ring[key]
    cash_out_nodes = [k for k, r in node_role.items() if r == "cash_out"]
    into = transactions_df[transactions_df["target"].isin(cash_out_nodes)].groupby("target")["amount"].sum()
    cash_out_received = into.reindex(cash_out_nodes, fill_value=0).astype(np.int64)
    # earmarked: each batch's arrivals at cash-out points shared by the victims' part of it
    b_idx = np.concatenate([p[0] for p in pieces])
    arrivals = pd.DataFrame({"batch": b_idx, "cash_out": np.concatenate([p[1] for p in pieces]),
                             "amount": np.concatenate([p[2] for p in pieces])})  # fmt: skip
    arrivals = arrivals.groupby(["batch", "cash_out"], as_index=False)["amount"].sum()
    share = pay_df[["batch", "victim", "amount"]].copy()
    share["share"] = share["amount"] / batches["total"].to_numpy()[share["batch"]]
    joined = arrivals.merge(share[["batch", "victim", "share"]], on="batch")
    joined["amount"] = joined["amount"] * joined["share"]
    joined["person_id"] = victim_ids[joined["victim"].to_numpy()]
    victim_cash_out = joined.groupby(["person_id", "cash_out"], as_index=False)["amount"].sum()

    node_ring_s = pd.Series(node_ring, name="ring").sort_index()
    roles = {**node_role}
    truth = GroundTruth(
        person_of_record=person_of_record,
        company_of_record=pd.Series(company_truth, name="company_id"),
        account_ring=node_ring_s,
        account_role=pd.Series(roles, name="role").sort_index(),
        ring_of_victim=pd.Series(victim_ring, index=victim_ids, name="ring"),
        payments_total=paid,
        refunds_total=refunds,
        money_lost=paid - refunds,
        cash_out_received=cash_out_received,
        victim_cash_out=victim_cash_out,
        transaction_kind=kinds,
        distinct_victims=victims,
        shared_phone_pairs=shared_pairs,
    )
    return SyntheticCase(
        seed=seed,
        noise=noise,
        victims=pd.DataFrame(complaint_rows),
        payments=pd.DataFrame(payment_rows),
        people=people_df,
        accounts=pd.DataFrame(account_rows),
        wallets=pd.DataFrame(wallet_rows),
        companies=pd.DataFrame(company_rows),
        transactions=transactions_df,
        calls=calls_df,
        truth=truth,
    )
