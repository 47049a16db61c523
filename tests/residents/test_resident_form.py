"""Adding and editing residents: normalised phones and ID numbers, clear errors, the shared-phone warning."""

import re

import pytest
from django.urls import reverse

from residents import idnumbers
from residents.models import Resident
from tests.factories import GridFactory, MembershipFactory, ResidentFactory, member
from tests.residents.conftest import OTHER_VALID_ID, VALID_ID

pytestmark = pytest.mark.django_db

CREATE = reverse("residents:create")


def form_data(grid=None, **changes) -> dict:
    data = {
        "name": "刘桂兰",
        "phone": "",
        "id_number": "",
        "contact_name": "",
        "contact_relation": "",
        "compound": "建设路小区",
        "building": "4",
        "unit": "1",
        "room": "201",
        "grid": grid.pk if grid else "",
        "birth_date": "",
        "notes": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not False}


def test_the_form_shows_the_community_and_its_grids_only(as_user, alice, people, bindong):
    GridFactory(community=bindong, name="东一网格")
    html = as_user(alice).get(CREATE).content.decode()
    assert "第一网格" in html and "第二网格" in html
    assert "东一网格" not in html
    assert "姓名" in html


def test_create_normalises_and_records_everything(as_user, alice, people):
    response = as_user(alice).post(
        CREATE,
        form_data(
            grid=people.first_grid,
            phone="138 1234 5678",
            id_number=" 11010519491231002x ",
            sms_consent="on",
            lives_alone="on",
            notes="女儿在外地",
        ),
    )
    resident = Resident.objects.get(name="刘桂兰")
    assert response.status_code == 302
    assert response["Location"] == reverse("residents:detail", args=[resident.pk])
    assert resident.community.code == "BX"
    assert resident.grid == people.first_grid
    assert resident.phone == "+8613812345678"
    assert "liuguilan" in resident.name_pinyin.split() and ":lgl" in resident.name_pinyin.split()
    assert resident.id_number() == VALID_ID
    assert resident.id_number_hmac == idnumbers.fingerprint(VALID_ID)
    assert resident.id_number_masked == "110***********002X"
    assert VALID_ID not in resident.id_number_encrypted
    assert str(resident.birth_date) == "1949-12-31"
    assert resident.sms_consent and resident.sms_consent_at is not None
    assert not resident.health_consent and resident.health_consent_at is None
    assert resident.lives_alone and resident.notes == "女儿在外地"
    assert resident.created_by == alice


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "电话号码只能包含数字、空格、短横线和开头的 +。"),
        ("138-1234-567a", "电话号码只能包含数字、空格、短横线和开头的 +。"),
        ("12345", "电话号码位数太少。"),
        ("1234567890123456", "电话号码位数太多。"),
        ("1381234567", "中国大陆手机号为11位。"),
        ("138123456789", "中国大陆手机号为11位。"),
        ("99999999999", "该号码不存在，请核对。"),
        ("+86 12345678901", "该号码不存在，请核对。"),
    ],
)
def test_each_bad_phone_shows_its_message_next_to_the_field_and_nothing_is_written(
    as_user, alice, people, typed, message
):
    before = Resident.objects.count()
    response = as_user(alice).post(CREATE, form_data(phone=typed))
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    # next to the field: inside the phone field's block, marked invalid
    field_block = html.split('id="div_id_phone"')[1].split('id="div_id_contact_name"')[0]
    assert message in field_block and "is-invalid" in field_block
    assert Resident.objects.count() == before


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1101051949123100", "身份证号为18位"),
        ("11010519491231002Y", "身份证号为18位"),
        ("110105194912310021", "身份证号校验位不正确"),
        ("110105194913310025", "身份证号中的出生日期无效"),
    ],
)
def test_each_bad_id_number_shows_its_message_and_nothing_is_written(as_user, alice, people, typed, message):
    if message.startswith("身份证号中的出生日期"):
        body = typed[:17]
        weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
        typed = body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    before = Resident.objects.count()
    html = as_user(alice).post(CREATE, form_data(id_number=typed)).content.decode()
    field_block = html.split('id="div_id_id_number"')[1].split('id="div_id_birth_date"')[0]
    assert message in field_block
    assert Resident.objects.count() == before


def test_a_name_is_required(as_user, alice, people):
    response = as_user(alice).post(CREATE, form_data(name=""))
    assert response.status_code == 200
    assert "这个字段是必填项" in response.content.decode()
    assert not Resident.objects.filter(compound="建设路小区").exists()


def test_a_grid_of_another_community_is_refused(as_user, alice, people, bindong):
    other = GridFactory(community=bindong)
    response = as_user(alice).post(CREATE, form_data(grid=other))
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not Resident.objects.filter(name="刘桂兰").exists()


def test_a_shared_phone_warns_and_lets_the_user_save_anyway(as_user, alice, people):
    client = as_user(alice)
    response = client.post(CREATE, form_data(phone="139 1234 5678"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="shared-phone-warning"' in html
    assert "王玉枝" in html and "139****5678" in html
    assert reverse("residents:detail", args=[people.wang.pk]) in html
    assert "alert-warning" in html
    assert not Resident.objects.filter(name="刘桂兰").exists()

    response = client.post(CREATE, form_data(phone="139 1234 5678", confirm_shared_phone="on"))
    assert response.status_code == 302
    assert Resident.objects.get(name="刘桂兰").phone == "+8613912345678"


def test_a_phone_of_another_community_gives_no_warning(as_user, bob, people):
    response = as_user(bob).post(CREATE, form_data(phone="13912345678"))
    assert response.status_code == 302
    assert Resident.objects.filter(name="刘桂兰", community__code="BD").exists()


def test_the_same_id_number_twice_in_a_community_is_refused(as_user, alice, people):
    people.wang.set_id_number(VALID_ID)
    people.wang.save()
    html = as_user(alice).post(CREATE, form_data(id_number=VALID_ID)).content.decode()
    assert "该身份证号已登记在王玉枝" in html
    assert not Resident.objects.filter(name="刘桂兰").exists()


def test_a_volunteer_cannot_add_or_edit(as_user, roles, people):
    client = as_user(roles.volunteer)
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, form_data()).status_code == 403
    edit = reverse("residents:edit", args=[people.wang.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, form_data(name="改名")).status_code == 403
    assert not Resident.objects.filter(name__in=["刘桂兰", "改名"]).exists()


def test_desk_staff_may_add(as_user, roles, people):
    assert as_user(roles.desk_staff).post(CREATE, form_data()).status_code == 302


def test_another_communitys_id_in_the_query_string_is_404(as_user, alice, people, bindong):
    assert as_user(alice).get(CREATE, {"community": bindong.pk}).status_code == 404
    assert as_user(alice).post(f"{CREATE}?community={bindong.pk}", form_data()).status_code == 404
    assert as_user(alice).get(CREATE, {"community": "x"}).status_code == 404
    assert not Resident.objects.filter(name="刘桂兰").exists()


def test_a_member_of_several_communities_chooses_where_to_add(as_user, binxi, bindong, people):
    street = member(binxi, "supervisor", username="street")
    MembershipFactory(user=street, community=bindong, role="supervisor")
    client = as_user(street)
    html = client.get(CREATE).content.decode()
    assert "居民住在哪个社区" in html
    assert f"?community={bindong.pk}" in html
    response = client.post(f"{CREATE}?community={bindong.pk}", form_data())
    assert response.status_code == 302
    assert Resident.objects.get(name="刘桂兰").community == bindong


def test_not_found_then_add_fills_in_what_was_searched(as_user, alice, people):
    html = as_user(alice).get(CREATE, {"q": "李大爷"}).content.decode()
    assert 'value="李大爷"' in html
    html = as_user(alice).get(CREATE, {"q": "138 1234 5678"}).content.decode()
    assert 'name="phone" value="138 1234 5678"' in html


# --- editing ------------------------------------------------------------------------------------


def edit_data(resident, **changes) -> dict:
    data = {
        field: getattr(resident, field)
        for field in ("name", "contact_name", "contact_relation", "compound", "building", "unit", "room")
    }
    data |= {"grid": resident.grid_id or "", "phone": "", "id_number": "", "notes": resident.notes}
    for boolean in (*Resident.CONSENTS, *Resident.FLAGS):
        if getattr(resident, boolean):
            data[boolean] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not False}


def test_the_edit_form_never_shows_the_full_phone_or_id_number(as_user, alice, people):
    people.wang.set_id_number(VALID_ID)
    people.wang.save()
    html = as_user(alice).get(reverse("residents:edit", args=[people.wang.pk])).content.decode()
    assert "13912345678" not in html and VALID_ID not in html
    assert "139****5678" in html and "110***********002X" in html


@pytest.mark.parametrize("role", ["desk_staff", "grid_worker"])
def test_editors_who_may_not_see_id_numbers_get_no_digits_of_it(as_user, roles, people, role):
    people.wang.set_id_number(VALID_ID)
    people.wang.save()
    html = (
        as_user(getattr(roles, role)).get(reverse("residents:edit", args=[people.wang.pk])).content.decode()
    )
    assert "002X" not in html and VALID_ID not in html


def test_an_empty_phone_keeps_the_number_and_a_new_one_replaces_it(as_user, alice, people):
    wang, client = people.wang, as_user(alice)
    url = reverse("residents:edit", args=[wang.pk])
    assert client.post(url, edit_data(wang, room="502")).status_code == 302
    wang.refresh_from_db()
    assert (wang.phone, wang.room) == ("+8613912345678", "502")
    assert client.post(url, edit_data(wang, phone="+86 186-0000-1111")).status_code == 302
    wang.refresh_from_db()
    assert wang.phone == "+8618600001111"
    assert client.post(url, edit_data(wang, remove_phone="on")).status_code == 302
    wang.refresh_from_db()
    assert wang.phone == ""


def test_a_bad_new_phone_on_edit_changes_nothing(as_user, alice, people):
    wang = people.wang
    response = as_user(alice).post(
        reverse("residents:edit", args=[wang.pk]), edit_data(wang, phone="12345", room="999")
    )
    assert "电话号码位数太少。" in response.content.decode()
    wang.refresh_from_db()
    assert (wang.phone, wang.room) == ("+8613912345678", "501")


def test_a_changed_name_gets_its_pinyin_and_a_changed_consent_its_date(as_user, alice, people):
    wang = people.wang
    assert wang.sms_consent and wang.health_consent_at is None
    response = as_user(alice).post(
        reverse("residents:edit", args=[wang.pk]),
        edit_data(wang, name="曾玉枝", sms_consent=False, health_consent="on"),
    )
    assert response.status_code == 302
    wang.refresh_from_db()
    assert ":zyz" in wang.name_pinyin.split() and ":cyz" in wang.name_pinyin.split()
    assert not wang.sms_consent and wang.sms_consent_at is not None
    assert wang.health_consent and wang.health_consent_at is not None
    assert wang.announcement_consent_at is None  # unchanged, so undated


def test_a_new_id_number_replaces_the_old_and_an_empty_one_keeps_it(as_user, alice, people):
    wang, client = people.wang, as_user(alice)
    url = reverse("residents:edit", args=[wang.pk])
    client.post(url, edit_data(wang, id_number=VALID_ID))
    wang.refresh_from_db()
    assert wang.id_number() == VALID_ID
    client.post(url, edit_data(wang))
    wang.refresh_from_db()
    assert wang.id_number() == VALID_ID
    client.post(url, edit_data(wang, id_number=OTHER_VALID_ID))
    wang.refresh_from_db()
    assert wang.id_number() == OTHER_VALID_ID
    assert wang.id_number_masked == "411***********1230"


def test_editing_a_resident_to_share_a_phone_warns_once(as_user, alice, people):
    zeng, client = people.zeng, as_user(alice)
    url = reverse("residents:edit", args=[zeng.pk])
    html = client.post(url, edit_data(zeng, phone="13912345678")).content.decode()
    assert 'id="shared-phone-warning"' in html and "王玉枝" in html
    zeng.refresh_from_db()
    assert zeng.phone == "+8613800001111"
    assert (
        client.post(url, edit_data(zeng, phone="13912345678", confirm_shared_phone="on")).status_code == 302
    )
    zeng.refresh_from_db()
    assert zeng.phone == "+8613912345678"


def test_the_form_header_shows_the_saved_name_after_a_bad_post(as_user, alice, people):
    html = (
        as_user(alice)
        .post(reverse("residents:edit", args=[people.wang.pk]), edit_data(people.wang, name="", phone="1"))
        .content.decode()
    )
    assert "编辑 王玉枝" in html


def test_an_anonymised_resident_cannot_be_edited(as_user, alice, binxi):
    from django.utils import timezone

    resident = ResidentFactory(community=binxi, anonymised_at=timezone.now(), name="已匿名居民")
    response = as_user(alice).get(reverse("residents:edit", args=[resident.pk]))
    assert response.status_code == 302
    response = as_user(alice).post(
        reverse("residents:edit", args=[resident.pk]), edit_data(resident, name="x")
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.name == "已匿名居民"


@pytest.mark.parametrize(
    "changes",
    [
        {"grid": "99999999999999999999999"},
        {"grid": "abc"},
        {"birth_date": "1949-13-45"},
        {"name": "王\x00"},
        {"name": "王" * 200},
        {"phone": "\x00"},
        {"id_number": "\x00"},
    ],
)
def test_bad_posts_show_errors_never_a_500(as_user, alice, people, changes):
    response = as_user(alice).post(CREATE, form_data() | changes)
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert not Resident.objects.filter(compound="建设路小区").exists()


@pytest.mark.parametrize(
    ("born", "said"),
    [
        ("2030-01-01", "A date of birth cannot be in the future."),
        ("1899-12-31", "Check the year: a date of birth before 1900 is not plausible."),
    ],
)
def test_an_implausible_date_of_birth_is_refused_next_to_the_field(as_user, alice, people, born, said):
    response = as_user(alice).post(
        CREATE, form_data() | {"birth_date": born}, headers={"accept-language": "en"}
    )
    assert response.status_code == 200
    assert said in response.content.decode().split('id="div_id_birth_date"')[1].split("</div>\n</div>")[0]
    assert not Resident.objects.filter(compound="建设路小区").exists()


def test_grids_are_offered_in_the_order_they_were_set_up(as_user, alice, binxi):
    from tests.factories import GridFactory

    names = ["第一网格", "第二网格", "第三网格", "第四网格", "第五网格", "第六网格", "第十网格"]
    for name in names:
        GridFactory(community=binxi, name=name)
    html = as_user(alice).get(CREATE).content.decode()
    select = html.split('name="grid"')[1].split("</select>")[0]
    offered = re.findall(r">(第[^<]+网格)<", select)
    assert offered[-len(names) :] == names  # by name: 第一 第三 第二 第五 第六 第十 第四
