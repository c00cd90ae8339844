"""Programmes and target groups, with the article each comes from. Loaded by `asxh setup`;
the lists are plain data, also read by the entitlement rules."""

from django.db import transaction

PROGRAMMES = [
    ("btxh", "Trợ giúp xã hội hằng tháng", "Nghị định 20/2021/NĐ-CP"),
    (
        "ncc",
        "Ưu đãi người có công với cách mạng",
        "Nghị định 75/2021/NĐ-CP (sửa đổi 55/2023, 77/2024)",
    ),
    ("ho_ngheo", "Hộ nghèo, hộ cận nghèo", "Nghị định 07/2021/NĐ-CP"),
    ("huu_tri_xa_hoi", "Trợ cấp hưu trí xã hội", "Luật Bảo hiểm xã hội 2024, từ 01/7/2025"),
]

GROUPS = [
    (
        "btxh",
        "btxh_tre_em_mo_coi",
        "Trẻ em dưới 16 tuổi không có nguồn nuôi dưỡng",
        "NĐ 20/2021 Điều 5 khoản 1",
    ),
    (
        "btxh",
        "btxh_16_22_dang_hoc",
        "Người từ 16 đến 22 tuổi đang đi học, không có nguồn nuôi dưỡng",
        "NĐ 20/2021 Điều 5 khoản 2",
    ),
    (
        "btxh",
        "btxh_tre_em_hiv",
        "Trẻ em nhiễm HIV/AIDS thuộc hộ nghèo",
        "NĐ 20/2021 Điều 5 khoản 3",
    ),
    (
        "btxh",
        "btxh_don_than_nuoi_con",
        "Người đơn thân thuộc hộ nghèo, hộ cận nghèo đang nuôi con",
        "NĐ 20/2021 Điều 5 khoản 4",
    ),
    (
        "btxh",
        "btxh_nct_ngheo_khong_nguoi_phung_duong",
        "Người cao tuổi thuộc hộ nghèo không có người phụng dưỡng",
        "NĐ 20/2021 Điều 5 khoản 5 điểm a",
    ),
    (
        "btxh",
        "btxh_nct_75_80_ngheo",
        "Người từ 75 đến 80 tuổi thuộc hộ nghèo, cận nghèo ở xã đặc biệt khó khăn",
        "NĐ 20/2021 Điều 5 khoản 5 điểm b",
    ),
    (
        "btxh",
        "btxh_nct_80",
        "Người từ đủ 80 tuổi không có lương hưu, trợ cấp BHXH",
        "NĐ 20/2021 Điều 5 khoản 5 điểm c",
    ),
    (
        "btxh",
        "btxh_nct_cham_soc_tai_cong_dong",
        "Người cao tuổi đủ điều kiện vào cơ sở nhưng được chăm sóc tại cộng đồng",
        "NĐ 20/2021 Điều 5 khoản 5 điểm d",
    ),
    (
        "btxh",
        "btxh_khuyet_tat",
        "Người khuyết tật nặng, đặc biệt nặng",
        "NĐ 20/2021 Điều 5 khoản 6",
    ),
    (
        "btxh",
        "btxh_tre_em_duoi_3_ngheo",
        "Trẻ em dưới 3 tuổi thuộc hộ nghèo, cận nghèo ở vùng đặc biệt khó khăn",
        "NĐ 20/2021 Điều 5 khoản 7",
    ),
    ("btxh", "btxh_hiv_ngheo", "Người nhiễm HIV/AIDS thuộc hộ nghèo", "NĐ 20/2021 Điều 5 khoản 8"),
    (
        "btxh",
        "btxh_ho_cham_soc",
        "Hộ gia đình, cá nhân chăm sóc, nuôi dưỡng đối tượng",
        "NĐ 20/2021 Điều 20",
    ),
    (
        "ncc",
        "ncc_thuong_binh",
        "Thương binh, người hưởng chính sách như thương binh",
        "Pháp lệnh 02/2020/UBTVQH14 Điều 23",
    ),
    ("ncc", "ncc_benh_binh", "Bệnh binh", "Pháp lệnh 02/2020/UBTVQH14 Điều 26"),
    ("ncc", "ncc_than_nhan_liet_si", "Thân nhân liệt sĩ", "Pháp lệnh 02/2020/UBTVQH14 Điều 16"),
    (
        "ncc",
        "ncc_chat_doc_hoa_hoc",
        "Người hoạt động kháng chiến bị nhiễm chất độc hóa học",
        "Pháp lệnh 02/2020/UBTVQH14 Điều 29",
    ),
    ("ncc", "ncc_ba_me_vnah", "Bà mẹ Việt Nam anh hùng", "Pháp lệnh 02/2020/UBTVQH14 Điều 19"),
    (
        "ncc",
        "ncc_nguoi_hd_cach_mang",
        "Người hoạt động cách mạng trước ngày 01/01/1945 và đến trước Tổng khởi nghĩa",
        "Pháp lệnh 02/2020/UBTVQH14 Điều 11, 13",
    ),
    ("ho_ngheo", "ho_ngheo", "Hộ nghèo", "NĐ 07/2021/NĐ-CP"),
    ("ho_ngheo", "ho_can_ngheo", "Hộ cận nghèo", "NĐ 07/2021/NĐ-CP"),
    (
        "huu_tri_xa_hoi",
        "huu_tri_xa_hoi",
        "Người từ đủ 75 tuổi (70–74 thuộc hộ nghèo, cận nghèo) không có lương hưu",
        "Luật BHXH 2024 Điều 21",
    ),
]


@transaction.atomic
def programmes_load() -> int:
    # Imported here so that the lists above serve the pure entitlement rules without Django.
    from asxh.beneficiaries.models import Programme, TargetGroup

    programmes: dict[str, Programme] = {}
    for code, name, basis in PROGRAMMES:
        programmes[code], _ = Programme.objects.update_or_create(
            code=code, defaults={"name": name, "legal_basis": basis}
        )
    for programme_code, code, name, basis in GROUPS:
        TargetGroup.objects.update_or_create(
            code=code,
            defaults={"programme": programmes[programme_code], "name": name, "legal_basis": basis},
        )
    return len(GROUPS)
