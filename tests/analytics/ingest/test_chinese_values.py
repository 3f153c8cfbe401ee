"""Chinese exports read as a Chinese user writes them: dates, star ratings and review classes, yuan amounts,
column names, and each row's language in the import report."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics.ingest.amounts import parse_amounts
from analytics.ingest.mapping import suggest_mapping
from analytics.ingest.pipeline import import_file
from analytics.ingest.ratings import detect_rating_scale, normalise_ratings
from analytics.ingest.readers import profile_file
from analytics.ingest.timestamps import parse_timestamps


def test_chinese_dates_with_and_without_times():
    parsed = parse_timestamps(pd.Series(["2024年3月5日", "2024年12月31日 14:05", "2023年1月2日14时05分30秒", None]))
    assert parsed.values.tolist()[:3] == [pd.Timestamp("2024-03-05"), pd.Timestamp("2024-12-31 14:05"),
                                          pd.Timestamp("2023-01-02 14:05:30")]
    assert not parsed.invalid.any()
    slashed = parse_timestamps(pd.Series(["2024/3/5 14:05", "2024/12/31 09:00"]))
    assert slashed.values.tolist() == [pd.Timestamp("2024-03-05 14:05"), pd.Timestamp("2024-12-31 09:00")]


def test_a_date_without_its_year_takes_the_year_the_column_is_written_in():
    parsed = parse_timestamps(pd.Series(["2024年3月6日", "3月5日", "12月1日", "2024年1月2日"]))
    assert parsed.values.tolist() == [pd.Timestamp("2024-03-06"), pd.Timestamp("2024-03-05"),
                                      pd.Timestamp("2024-12-01"), pd.Timestamp("2024-01-02")]
    with pytest.raises(ValueError, match="do not look like dates"):  # no year anywhere: nothing to guess from
        parse_timestamps(pd.Series(["3月5日", "4月1日"]))


def test_stars_review_classes_and_full_marks():
    values = pd.Series(["5星", "五星", "4.5颗星", "３星", "好评", "中评", "差评", "满分", "2分", "一星"])
    assert detect_rating_scale(values).kind == "stars_1_5"
    parsed = normalise_ratings(values)
    assert parsed.raw.tolist() == [5.0, 5.0, 4.5, 3.0, 5.0, 3.0, 1.0, 5.0, 2.0, 1.0]
    assert not parsed.invalid.any()
    ten = normalise_ratings(pd.Series(["8分", "9/10", "满分", "6分", "3分"]))  # full marks: the top of its scale
    assert ten.scale.high == 10.0 and ten.raw.tolist() == [8.0, 9.0, 10.0, 6.0, 3.0]


def test_yuan_amounts():
    parsed = parse_amounts(pd.Series(["¥199", "199元", "￥1,299.50", "1299.5 元", "RMB 88", "-¥20", "12.5块",
                                      "１２元", "(¥5)", "人民币30"]))
    assert parsed.values.tolist() == [199.0, 199.0, 1299.5, 1299.5, 88.0, -20.0, 12.5, 12.0, -5.0, 30.0]
    assert not parsed.invalid.any()


def test_chinese_column_names_are_mapped():
    frame = pd.DataFrame({"评论编号": ["1"], "买家": ["a"], "商品名称": ["x"], "评价": ["很好"], "星级": ["5星"],
                          "评论时间": ["2024年3月5日"], "实付金额": ["¥99"], "订单号": ["o1"], "来源": ["app"]})
    mapping = suggest_mapping(frame).mapping
    assert {k: v for k, v in mapping.items() if v} == {
        "record_id": "评论编号", "text": "评价", "rating": "星级", "timestamp": "评论时间", "customer_id": "买家",
        "product": "商品名称", "channel": "来源", "amount": "实付金额", "order_id": "订单号"}


def test_an_import_stores_each_rows_language_and_reports_the_mix(store, tmp_path):
    path = tmp_path / "reviews.csv"
    pd.DataFrame({"评价": ["房间很干净，服务好", "早餐太贵了", "Great location", "交通方便", ""],
                  "星级": ["5星", "2星", "4星", "好评", "3星"],
                  "评论时间": ["2024年3月5日", "2024年3月6日", "2024年3月7日", "3月8日", "2024年3月9日"]}
                 ).to_csv(path, index=False)
    profile = profile_file(path)
    report = import_file(store, profile, suggest_mapping(profile.preview, column_types=profile.column_types).mapping)
    assert report.rows_imported == 5 and report.rows_rejected == 0
    assert report.languages == {"zh": 3, "en": 1}
    rows = store.load_rows(report.dataset_id)
    assert rows["language"].tolist() == ["zh", "zh", "en", "zh", ""]
    assert rows["timestamp"].iloc[3] == pd.Timestamp("2024-03-08")
    assert store.get_dataset(report.dataset_id).report["languages"] == {"zh": 3, "en": 1}
