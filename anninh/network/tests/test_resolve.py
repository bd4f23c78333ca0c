"""Entity resolution: exact identifiers link, Splink matches the rest, phones are leads only."""

from __future__ import annotations

import pandas as pd
import pytest

from anninh.network.generator import generate_case
from anninh.network.resolve import (
    PERSON_MODEL,
    Model,
    company_name_key,
    resolve_companies,
    resolve_people,
)

COLUMNS = ["record_id", "name", "sex", "birth_date", "cccd", "phone", "address", "commune", "province"]
HOME = "Số 12 Lạch Tray, Phường Ngô Quyền, Hải Phòng"


def frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


# Strangers around the records under test, so that the prior is that of a real list.
STRANGERS = [
    (f"S{i:03d}", name, sex, f"19{60 + i % 30}-0{1 + i % 9}-1{i % 9}", None, f"09{i:08d}",
     f"Số {i} Trần Phú, Xã Hòa Lạc, {prov}", "Xã Hòa Lạc", prov)
    for i, (name, sex, prov) in enumerate(
        [("Trần Văn Hùng", "Nam", "Hà Nội"), ("Lê Thị Mai", "Nữ", "Huế"), ("Phạm Minh Tuấn", "Nam", "Cà Mau"),
         ("Hoàng Thu Trang", "Nữ", "Nghệ An"), ("Vũ Đức Long", "Nam", "Lạng Sơn"), ("Đỗ Thị Lan", "Nữ", "Gia Lai")] * 5
    )
]  # fmt: skip


def cluster(resolution, a: str, b: str) -> bool:
    of = resolution.cluster_of()
    return of[a] == of[b]


def test_husband_and_wife_sharing_phone_and_address_stay_two_people() -> None:
    people = frame([
        # same surname (common), unisex given name, no birth date, no CCCD: only the phone,
        # the address and half the name agree
        ("H1", "Nguyễn Hữu Anh", "Nam", None, None, "0912 345 678", HOME, "Phường Ngô Quyền", "Hải Phòng"),
        ("W1", "Nguyễn Phương Anh", "Nữ", None, None, "+84912345678", HOME, "Phường Ngô Quyền", "Hải Phòng"),
        # and the wife without her sex recorded, written without accents
        ("W2", "Nguyen Phuong Anh", None, None, None, "0084 912 345 678", HOME, "Phường Ngô Quyền", "Hải Phòng"),
        *STRANGERS,
    ])  # fmt: skip
    result = resolve_people(people)
    assert not cluster(result, "H1", "W1")
    assert not cluster(result, "H1", "W2")
    assert cluster(result, "W1", "W2")
    pair = result.pairs.set_index(["record_id_l", "record_id_r"]).loc[("H1", "W1")]
    assert pair["decision"] == "lead"  # high probability on phone and address: a lead
    assert pair["match_probability"] > 0.5
    assert "phone: same phone" in pair["evidence"]
    assert "address: same address" in pair["evidence"]


def test_a_shared_phone_alone_never_links_even_when_it_is_all_there_is() -> None:
    people = frame([
        ("A", "Trần Văn Bình", "Nam", "1970-01-01", None, "0988 111 222", None, None, None),
        ("B", "Lê Thị Hoa", "Nữ", "1975-05-05", None, "0988111222", None, None, None),
        ("C", "Trần Minh Khánh", "Nam", "1999-09-09", None, "0988 111 222", None, None, None),
        *STRANGERS,
    ])  # fmt: skip
    result = resolve_people(people)
    assert result.cluster_of()[["A", "B", "C"]].nunique() == 3


def test_one_person_written_three_ways_is_one_person_with_the_evidence() -> None:
    people = frame([
        ("V1", "Đặng Thị Thu Hà", "Nữ", "1985-03-12", None, "0168 123 4567", HOME, "Phường Ngô Quyền", "Hải Phòng"),
        ("V2", "DANG THI THU HA", "Nữ", "1985-03-12", None, "+84 38 123 4567", None, None, "Hải Phòng"),
        ("V3", "Đặng Thu Hà", "Nữ", "1985-03-12", None, None, HOME, "Phường Ngô Quyền", "Hải Phòng"),
        *STRANGERS,
    ])  # fmt: skip
    result = resolve_people(people)
    assert cluster(result, "V1", "V2") and cluster(result, "V1", "V3")
    pair = result.pairs.set_index(["record_id_l", "record_id_r"]).loc[("V1", "V2")]
    assert pair["decision"] == "linked" and pair["rule"] == "probabilistic"
    assert pair["name"] == "same name"
    assert "birth_date: same birth date" in pair["evidence"]
    assert "phone: same phone" in pair["evidence"]  # the old 0168 number is today's 038
    assert result.clusters["cluster"].nunique() == len(people) - 2


def test_the_same_cccd_links_outright() -> None:
    people = frame([
        ("K1", "Phạm Văn Đức", "Nam", None, "031 090 123456", None, None, None, None),
        ("K2", "Pham Duc", None, None, "031090123456", "0903000111", None, None, "Hải Phòng"),
        ("K3", "Phạm Văn Đức", "Nam", "1990-01-01", "031090123457", None, None, None, None),
        *STRANGERS,
    ])  # fmt: skip
    result = resolve_people(people)
    pair = result.pairs.set_index(["record_id_l", "record_id_r"]).loc[("K1", "K2")]
    assert pair["decision"] == "linked" and pair["rule"] == "cccd"
    assert cluster(result, "K1", "K2")


def test_an_uncertain_pair_goes_to_review() -> None:
    # the same common name, nothing else in common, nothing against: a question, not an answer
    people = frame([
        ("Q1", "Nguyễn Văn Hùng", "Nam", None, None, "0911000001", None, None, "Hà Nội"),
        ("Q2", "Nguyễn Văn Hùng", "Nam", None, None, None, None, None, "Hà Nội"),
        *STRANGERS,
    ])  # fmt: skip
    result = resolve_people(people, model=Model(**{**PERSON_MODEL.__dict__, "prior": 0.0005}))
    review = result.review
    assert list(zip(review["record_id_l"], review["record_id_r"], strict=True)) == [("Q1", "Q2")]
    assert not cluster(result, "Q1", "Q2")
    assert 0.5 <= review["match_probability"].iloc[0] < 0.95
    # a stricter link threshold is the investigator's call: with a lower one it links
    assert cluster(resolve_people(people, model=Model(**{**PERSON_MODEL.__dict__, "prior": 0.0005}),
                                  link_threshold=0.5), "Q1", "Q2")  # fmt: skip


def test_thresholds_and_record_ids_are_checked() -> None:
    with pytest.raises(ValueError, match="thresholds"):
        resolve_people(frame(STRANGERS), link_threshold=0.4, review_threshold=0.6)
    with pytest.raises(ValueError, match="S001"):
        resolve_people(frame([*STRANGERS, STRANGERS[1]]))


@pytest.fixture(scope="module")
def case():
    return generate_case(victims=250, seed=11, noise="medium")


def test_on_a_generated_case_persons_are_recovered_and_families_kept_apart(case) -> None:
    result = resolve_people(case.people)
    truth = case.truth.person_of_record
    found = result.cluster_of().reindex(truth.index)

    def pairs(labels: pd.Series) -> set[tuple[str, str]]:
        df = labels.rename("label").rename_axis("rid").reset_index()
        m = df.merge(df, on="label")
        m = m[m["rid_x"] < m["rid_y"]]
        return set(zip(m["rid_x"], m["rid_y"], strict=True))

    true_pairs, found_pairs = pairs(truth), pairs(found)
    hits = len(true_pairs & found_pairs)
    assert hits / len(found_pairs) >= 0.98
    assert hits / len(true_pairs) >= 0.95
    person_cluster = pd.DataFrame({"person": truth, "cluster": found}).drop_duplicates()
    by_person = person_cluster.groupby("person")["cluster"].agg(set)
    assert case.truth.shared_phone_pairs
    for a, b in case.truth.shared_phone_pairs:
        assert not by_person[a] & by_person[b]


def test_companies_link_on_tax_code_forms_and_on_name_and_representative() -> None:
    companies = pd.DataFrame(
        [
            (
                "K1",
                "Công ty TNHH Đầu tư Hưng Thịnh",
                "0100109106/001",
                "Trần Văn An",
                "Số 5 Lê Lợi, Hải Phòng",
            ),
            ("K2", "CTY TNHH DAU TU HUNG THINH", "0100109106-001", None, None),
            ("K3", "Cty TNHH Đầu tư Hưng Thịnh", None, "Tran Van An", "So 5 Le Loi, Hai Phong"),
            ("K4", "Công ty TNHH Đầu tư Hưng Thịnh", "0100109106", "Lê Văn Bình", "Số 9 Trần Phú, Hà Nội"),
            ("K5", "Công ty Cổ phần Thương mại Phú Quý", None, "Phạm Thị Lan", "Số 1 Cầu Đất, Hải Phòng"),
        ],
        columns=["record_id", "name", "tax_code", "legal_rep_name", "address"],
    )
    result = resolve_companies(companies)
    of = result.cluster_of()
    assert of["K1"] == of["K2"] == of["K3"]
    # the head office (no branch suffix) is another taxpayer than its branch
    assert of["K4"] != of["K1"]
    assert of["K5"] not in set(of[["K1", "K4"]])
    assert company_name_key("CÔNG TY TNHH MTV Sao Việt") == company_name_key("Sao Viet")


def test_the_order_of_the_records_does_not_change_the_answer(case) -> None:
    first = resolve_people(case.people)
    shuffled = resolve_people(case.people.sample(frac=1, random_state=3))
    pd.testing.assert_frame_equal(first.clusters, shuffled.clusters)
    pd.testing.assert_frame_equal(first.pairs, shuffled.pairs)


def test_clusters_are_a_partition_and_every_link_lies_inside_one(case) -> None:
    result = resolve_people(case.people)
    clusters = result.clusters
    assert sorted(clusters["record_id"]) == sorted(case.people["record_id"])
    assert clusters["record_id"].is_unique
    of = result.cluster_of()
    links = result.links
    assert (of[links["record_id_l"]].to_numpy() == of[links["record_id_r"]].to_numpy()).all()
    # each cluster is named after its smallest record
    assert (
        clusters.groupby("cluster")["record_id"].min() == clusters.groupby("cluster")["cluster"].first()
    ).all()
    assert set(result.pairs["decision"]) <= {"linked", "review", "lead", "distinct"}
    assert (result.pairs["record_id_l"] < result.pairs["record_id_r"]).all()
