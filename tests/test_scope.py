"""Scope before ranking: who a message is about, where, and what — and what stays ours.

Each test names a kind of situation; the sentences are instances of it, and each
refusal has counter-examples that must stay in scope.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from content.loader import DEFAULT_CONTENT_DIR, Content, load_content
from content.matching import build_matching
from content.matching.matcher import BandedMatcher
from content.matching.normalize import normalize
from content.matching.scope import ScopeFinder, without_comparisons
from content.models import ScopeFile, ScopeWhere, ScopeWho
from tests.content_dirs import copy_shipped


@pytest.fixture(scope="module")
def shipped() -> Content:
    result = load_content(DEFAULT_CONTENT_DIR)
    assert result.content is not None, result.errors
    return result.content


@pytest.fixture(scope="module")
def scope(shipped: Content) -> ScopeFinder:
    return ScopeFinder(shipped.scope)


@pytest.fixture(scope="module")
def matcher(shipped: Content, tmp_path_factory: pytest.TempPathFactory) -> BandedMatcher:
    return build_matching(shipped, tmp_path_factory.mktemp("index-cache"))


def dimension(scope: ScopeFinder, text: str) -> str | None:
    outside = scope.assess(normalize(text))
    return outside.dimension if outside else None


# ── who ─────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "text",
    [
        "父が在宅酸素を始めることになりました。停電のときの対策は？",  # another adult, a device
        "祖母の介護認定を受けたい",  # a grandparent
        "義母が退院したら家で介護になります",  # an in-law
        "主人が難病と診断されました。医療費の助成は？",  # a spouse
        "おばあちゃんの通院の付き添いサービスってありますか",  # an adult's own service
        "My father needs a wheelchair. Can the ward lend one?",
        "my mother-in-law needs long-term care",
        # Familiar words for grandparents.
        "うちのばあちゃんが在宅酸素になりました",
        "近所のおじいさんの車いすを借りたい",
        "ちちの通院先を探しています",  # 父 in hiragana
        "父親の身障手帳の等級変更したい",  # 父親 with の is another adult, not the writer
    ],
)
def test_a_message_about_another_adult_is_not_ours(scope: ScopeFinder, text: str) -> None:
    assert dimension(scope, text) == "who"


@pytest.mark.parametrize(
    "text",
    [
        "私自身が身体障害者手帳を持っています。更新は？",
        "母親の私の精神障害者保健福祉手帳について",  # 母親 is the writer, the card hers
        "私が人工透析を受けていて、通院が大変です",
        "私（母親）自身が持病で通院しています",  # 自身 after the writer's role
        "I am on dialysis myself. Is there a taxi subsidy?",
        # The writer's own aids and devices.
        "私が車椅子を使っていて、買い替えの補助を知りたい",
        "私自身が酸素吸入をしています。ボンベの業者を変えたい",
        "I have a wheelchair and need a ramp at home",
        # The writer named by their part, or by their age.
        "I'm a mother with a disability myself. Can I get a home helper?",
        "I'm 45 and just had a tracheostomy. Who can coordinate my care?",
    ],
)
def test_the_writers_own_condition_is_not_ours(scope: ScopeFinder, text: str) -> None:
    assert dimension(scope, text) == "who"


@pytest.mark.parametrize(
    "text",
    [
        "長男が20歳になって高校も卒業しました。グループホームを探しています",
        "娘はもう25歳ですが、障害福祉サービスの相談をしたい",
        "My son is 22 years old now and needs a day centre",
    ],
)
def test_a_child_stated_to_be_an_adult_now_is_not_ours(scope: ScopeFinder, text: str) -> None:
    assert dimension(scope, text) == "who"


@pytest.mark.parametrize(
    "text",
    [
        # The writer or another adult in a message about the child.
        "私が子どもの手帳を申請したい",
        "母です。息子の身体障害者手帳の申請方法を教えてください",
        "私が手術で入院するので、その間子どもを預かってほしい",
        "I want to apply for a disability certificate for my daughter",
        # An adult who helps, with no child named.
        "夫が単身赴任で、私一人で吸引と注入をしていて限界です",
        "祖母が手伝いに来られなくなりました。訪問看護を増やせますか",
        "My husband works late. Is there help with the ventilator at night?",
        # The writer tired, not ill; the writer's own word without a condition.
        "母親の私が最近まいっています。家族向けの支援はありますか",
        "手帳は私が申請するんですか？",
        "父親ですが、コーディネーターさんに相談してもいいですか",
        "母親の付き添いは必要ですか",  # the parent's part in the child's care
        "父です。人工呼吸器の停電対策を知りたい",
        # The writer with the child's aids and devices.
        "私が子どもの車いすを押して通院しています",
        "息子の酸素ボンベを私が運ぶのが大変です",
        "I have a son who uses a wheelchair",
        "ばあちゃんが孫の吸引を手伝ってくれます",
        "Will a nurse come once we're home? My wife is worried about doing the suctioning.",
        # Words that contain a person word and are none; ages that are rules.
        "大丈夫でしょうか、レスパイトを使っても",
        "母子手帳はどこでもらえますか",
        "特別児童扶養手当は20歳までですか",
        "18歳以上になったら手帳はどうなる？",
        "親の会に入りたい",
        # The writer's age beside a child; the writer's appointment as the time away.
        "I'm 45 years old and my son has a trach. Can we get a visiting nurse?",
        "家に看護師さんに来てもらって、その間に私が買い物や通院に行けるような制度ってありますか",
    ],
)
def test_a_child_in_the_message_or_an_adult_who_only_helps_keeps_it_ours(
    scope: ScopeFinder, text: str
) -> None:
    assert dimension(scope, text) is None


# ── where ───────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "text",
    [
        "世田谷区に住んでいます。コーディネーターの連絡先は？",  # a listed ward
        "江東区で医ケア対応の放課後等デイはある？",
        "横浜の実家でショートステイを使えますか",  # the name without 市
        "浦安市在住です。レスパイトについて教えて",  # an unlisted city
        "We live in Shinjuku. Can you tell me about visiting nursing?",
        "Does Hoge city have a respite program?",  # an unlisted one in English
        # 区内 after another ward's name is that ward's, not ours.
        "練馬区内で医ケアに対応した児発を探しています",
        "足立区内のショートステイ施設を知りたい",
        # Leaving Chiyoda and asking about the new place's services.
        "千代田区から川崎市へ転居予定です。川崎市での日常生活用具の申請は？",
        "千代田から大阪に引っ越すので、大阪の放課後等デイを探したい",
        "We are moving from Chiyoda to Osaka. Who handles the certificate there?",
        # Living elsewhere, with no move: Chiyoda's services named are still not theirs.
        "We live in Yokohama. Can we use Chiyoda's respite?",
        "横浜市在住ですが、千代田区のショートステイは使えますか",
        # Names in kana.
        "せたがやの児発を探しています",
        "たいとうくのほけんしさんにきてほしい",
        # A particle after the name makes it where something is sought, not a person or
        # a hospital of that name (江戸川区で看護師のいる…).
        "江戸川区で看護師いる放デイ探してます",
        "江東区の放デイで看護師がいるところを教えてください",
        "新宿区の保健センターの保健師さんの連絡先教えて",  # that ward's own office
        "さいたま市の小学校って看護師さん配置してもらえるんですか？",
        "墨田区の中学校の看護師さんの配置を聞きたい",  # that ward's school, not a nurse visited
        "おおさかの ほうかごデイ を さがしてます",  # a city in kana
    ],
)
def test_another_municipality_is_not_ours(scope: ScopeFinder, text: str) -> None:
    assert dimension(scope, text) == "where"


@pytest.mark.parametrize(
    "text",
    [
        "江東区から千代田区に引っ越してきます。手続きは？",  # moving in: Chiyoda named
        "東京都の医療的ケア児支援センターはどこ？",  # Tokyo-wide
        "世田谷の成育医療センターに入院中です",  # a hospital there, not a home
        "品川の病院に通っています。訪問看護を頼みたい",
        "江戸川区の看護師さんに言われました。訪問看護を頼みたい",
        "区の支援を受けたい",  # the ward: Chiyoda
        "地区の防災訓練に呼吸器の子と参加したい",  # 地区 is no municipality
        "特別区の制度ですか？",
        "麹町に住んでいます。訪問看護を使いたい",  # a Chiyoda neighbourhood
        "市販の吸引カテーテルでもいい？",
        "港で遊んでいます",  # 港 alone is a harbour
        "区内で呼吸器の子を預かってくれる所は？",  # 区内 alone is Chiyoda's
        # Leaving Chiyoda with nothing asked about the new place: the hand-over is ours.
        "千代田区から横浜市に引っ越します。医ケアの引き継ぎはどうなりますか",
        "千代田区から川崎市へ転居予定です。今の受給者証はどうなる？",
        "We are moving from Chiyoda to Osaka. Is there anything to hand over?",  # is there
        # Living elsewhere and moving in: the hand-over is ours.
        "横浜に住んでいますが、千代田区に引っ越す予定です。保育園は？",
        "子ども自身が通院を嫌がります",  # 自身 of a child
        "東京都の知的障害の手帳、申し込むにはどこへ行けばいい？",  # 京都 inside 東京都
        "保健師です。担当地区に呼吸器のお子さんがいて、コーディネーターにつなぎたい",  # 地区
        # "city" and "ward" after a word that is no name: this ward's own services.
        "After we leave hospital, will nurse from city health center come to check baby?",
        "Can ward pay for suction machine? We cannot buy, too expensive.",
        "Does the local ward have short stays for ventilated kids?",
        "Is there anything ward can do before he leaves the hospital?",  # no name before ward
    ],
)
def test_chiyoda_tokyo_and_places_visited_stay_ours(scope: ScopeFinder, text: str) -> None:
    assert dimension(scope, text) is None


# ── what, through the whole matcher ─────────────────────────────────────────


@pytest.mark.parametrize(
    ("text", "pointer"),
    [
        ("区役所でアルバイトを募集していますか", "shigoto"),
        ("訪問看護ステーションで働きたいので求人を教えて", "shigoto"),  # care words, still a job
        ("在留カードの更新はどこ？", "zairyu"),
        ("月極駐車場を紹介してほしい", "chusha"),
        ("日曜に開いてる小児科ってありますか", "shinryo"),
        ("離婚して児童扶養手当を申請したい", "jido_fuyo"),  # the look-alike allowance
        ("祖父の通院に介護タクシーを使いたい", "otona"),  # the FAQ's for a child
        ("障害年金を申請したい", "otona"),
        ("上の子の予防接種の予診票をなくした", "yobo_sesshu"),
        ("産後ケアのショートステイに申し込みたい", "shussan"),  # a service adults share
        ("祖母を特養のショートステイに預けたい", "kaigo_hoken"),  # who, with the named matter
        ("世田谷区の児童手当", "tachiiki"),  # another municipality's matter is theirs
        ("明日の天気は？", "zatsudan"),
        # The writer's own need, said to be theirs beside the child (self_marks).
        ("気切の子の母です。私自身がうつで通院していて、手帳を取りたい", "otona"),
        # A child the message calls healthy, and no care named besides (healthy_pointer).
        ("健常の上の子の小学校の入学通知がまだ届きません", "kusei_ippan"),
        # Tax stays tax beside a child's disability: the FAQ has no answer on deductions.
        ("Can I claim the disability deduction for my son on my income tax?", "zeikin"),
        ("My sister-in-law is on home oxygen. Can she use the respite service?", "otona"),
        ("I use a wheelchair myself. Can I get taxi vouchers for my own hospital visits?",
         "otona"),
        ("福祉型信託で障害のある子に財産を残す方法を知りたい", "funso"),
        # The child is named only to say they are well; the adult's care is the matter.
        ("夫がALSで人工呼吸器をつけています。子どもは元気なんですが、夫の停電対策について相談できますか",
         "otona"),
        # The question is put on the healthy twin, beside the other one's care.
        ("双子のうち一人は医ケアがあって、もう一人は元気です。元気なほうの幼稚園の説明会はいつ？",
         "kusei_ippan"),
        ("転出届って郵送でもできるの？子どもが医ケアで窓口行けなくて", "juminhyo"),
        ("古い吸引器を捨てたいんだけど、何ごみになるの？", "gomi"),
        ("40代の兄が知的障害なんですが、大人になってからでも愛の手帳って取れますか", "otona"),
        ("ははが さんそきかいを つかってます ていでんのとき どうしたら", "otona"),
        ("おっとが てんかんで じりつしえんいりょう つかえますか", "otona"),
        ("I had surgery on my knee last month. Can I get a home helper?", "otona"),
        ("What's the deadline for hoikuen applications for April? My other kid is typically"
         " developing.", "kusei_ippan"),
    ],
)
def test_out_of_scope_gets_its_pointer_never_the_nearest_entry(
    matcher: BandedMatcher, text: str, pointer: str
) -> None:
    match = matcher.match(text, "ja")
    assert (match.mode, match.offtopic) == ("refuse", pointer)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("特別児童扶養手当の申請方法を教えてください", "tokuji_teate"),  # not 児童扶養手当
        ("私が子どもの身体障害者手帳を申請したい", "shintai_techo"),
        ("医ケア児の保育園の入園について相談したい", "hoikuen"),
        ("江東区から千代田区に引っ越します。医療的ケア児の手続きの引き継ぎは？", None),
        # 健常 about the sibling, but the child with care is named too: still ours.
        ("下の子は健常ですが、上の子は人工呼吸器をつけています。停電のときの電源は？",
         "teiden_dengen"),
    ],
)
def test_the_childs_own_matters_are_still_answered(
    matcher: BandedMatcher, text: str, topic: str | None
) -> None:
    match = matcher.match(text, "ja")
    assert match.mode != "refuse" or match.offtopic is None
    if topic is not None:
        assert topic in ((match.topic,) if match.mode == "answer" else match.suggestions)


# ── the lists are data ──────────────────────────────────────────────────────


def test_the_lexicon_decides_not_the_code() -> None:
    bare = ScopeFinder(ScopeFile())
    assert bare.assess(normalize("父の在宅酸素について")) is None
    taught = ScopeFinder(
        ScopeFile(
            who=ScopeWho(adults=["父"], child=["子ども"], pointer="otona"),
            where=ScopeWhere(others=["架空市"], pointer="tachiiki"),
        )
    )
    outside = taught.assess(normalize("父の在宅酸素について"))
    assert outside is not None and (outside.dimension, outside.pointer) == ("who", "otona")
    assert taught.assess(normalize("父と子どもの在宅酸素について")) is None
    # One character needs a particle after it: 大丈夫 has no 夫 in it.
    assert ScopeFinder(ScopeFile(who=ScopeWho(adults=["夫"]))).assess("大丈夫ですか") is None


def test_a_pointer_that_names_no_topic_is_an_error(tmp_path: Path) -> None:
    root = copy_shipped(tmp_path)
    path = root / "scope.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["where"]["pointer"] = "no_such_topic"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    result = load_content(root)
    assert result.content is None
    assert any(
        p.file == "scope.yaml" and "no_such_topic" in p.message for p in result.errors
    )


def test_every_phrasing_staff_wrote_for_the_faq_stays_in_scope(
    shipped: Content, matcher: BandedMatcher
) -> None:
    """The FAQ's own questions and alternates are counter-examples written by staff:
    a word list that refuses one of them is too broad."""
    refused = [
        (locale, entry.id, text)
        for locale, entries in shipped.faq.items()
        for entry in entries
        for text in (entry.question, *entry.alternates)
        if (match := matcher.match(text, locale)).mode == "refuse" and match.offtopic
    ]
    assert refused == []


# ── what, by kind: each kind with instances and counter-examples ──────────────


def refused_with(matcher: BandedMatcher, text: str) -> str | None:
    match = matcher.match(text, "ja")
    return match.offtopic if match.mode == "refuse" else None


def stays_ours(matcher: BandedMatcher, text: str) -> bool:
    match = matcher.match(text, "ja")
    return match.mode != "refuse" or match.offtopic is None


@pytest.mark.parametrize(
    "text",
    [
        "ミルクの注入量はどのくらいまで増やしてもいいですか",  # an amount
        "座薬は体重10キロなら何mg？",
        "呼吸器の設定を上げたほうがいいのか迷っています",  # a device setting
        "酸素飽和度の目標値はいくつですか",  # a target value
        "抗てんかん薬を変えた方がいいでしょうか",  # whether to change a drug
        "発疹が出ているけど何の病気だと思いますか",  # a diagnosis
        "小児の呼吸器に強い病院を教えて",  # which doctor or hospital is best
        "What dose of paracetamol can I give my son?",
        "Should I change the ventilator settings at night?",
        "Which hospital is the best for children with trachs?",
    ],
)
def test_asking_for_a_medical_judgement_is_the_doctors(matcher: BandedMatcher, text: str) -> None:
    assert refused_with(matcher, text) == "iryo_soudan"


@pytest.mark.parametrize(
    "text",
    [
        "慢性の病気で医療費がかさんでいます",  # 病気 without asking what it is
        "サービスの日数を増やしたいので計画を見直したい",  # 増やしたい: a service, not a dose
        "吸引器を買うのに補助はある？",
        "My son was diagnosed with a rare disease. Is there help with medical costs?",
    ],
)
def test_medical_words_without_asking_for_a_judgement_stay_ours(
    matcher: BandedMatcher, text: str
) -> None:
    assert stays_ours(matcher, text)


@pytest.mark.parametrize(
    "text",
    [
        "病院の看護師の態度について苦情を言いたい",  # a complaint
        "ショートステイ先で怪我をさせられたので損害賠償を請求したい",  # damages
        "放デイとの契約を解約したいけど違約金を請求された",  # a contract, with care words
        "医療保険の入院給付金を保険会社が払ってくれない",  # a private insurer
        "重心の娘の後見人になる手続きは？",  # guardianship
        "区の対応に不服があるので訴訟を考えています",
        "I want to sue the clinic for what happened to my son",
    ],
)
def test_disputes_and_complaints_are_not_ours(matcher: BandedMatcher, text: str) -> None:
    assert refused_with(matcher, text) == "funso"


@pytest.mark.parametrize(
    "text",
    [
        "訪問看護の契約はどうやってするの？",  # a contract to start, no dispute
        "ヘルパーさんに吸引をお願いできますか",
        "相談した内容はほかの人に知られますか",
    ],
)
def test_services_without_a_dispute_stay_ours(matcher: BandedMatcher, text: str) -> None:
    assert stays_ours(matcher, text)


@pytest.mark.parametrize(
    "text",
    [
        "放課後等デイサービスで保育士として働きたい",  # working in care, with a service's name
        "訪問看護ステーションの看護師の募集はありますか",
        "相談支援専門員になるにはどうすればいい？",  # becoming one
        "喀痰吸引の研修を受けてヘルパーになるには",
        "子どもが寝ている間に家でできる仕事を探しています",  # the parent's own work
        "I'd like to work as a nurse for children on ventilators",
    ],
)
def test_working_in_care_or_looking_for_work_is_not_ours(
    matcher: BandedMatcher, text: str
) -> None:
    assert refused_with(matcher, text) == "shigoto"


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        # Going back to work is why a nursery is needed: the child's matter, answered.
        ("育休明けで職場に復帰します。胃ろうの息子を預けられる保育園はありますか", "hoikuen"),
        ("仕事に復帰したいので保育園を探しています", "hoikuen"),
        ("ヘルパーさんに家に来てもらえますか", "kyotaku_kaigo"),  # using a helper, not being one
        ("介護が少しでも楽になるにはどんなサービスがありますか", None),  # not a job title
    ],
)
def test_the_parents_work_as_the_reason_for_care_stays_ours(
    matcher: BandedMatcher, text: str, topic: str | None
) -> None:
    match = matcher.match(text, "ja")
    assert match.mode != "refuse" or match.offtopic is None
    if topic is not None:
        assert topic in ((match.topic,) if match.mode == "answer" else match.suggestions)


@pytest.mark.parametrize(
    ("text", "pointer"),
    [
        ("区民館に財布を忘れてしまいました", "kusei_ippan"),  # lost property
        ("使わなくなった加湿器は何ごみで出せばいい？", "gomi"),  # throwing something away
        ("古いバギーの捨て方を教えて", "gomi"),
        ("温水プールの障害者の利用料は？", "kusei_ippan"),  # a ward facility
        ("障害のある子がいると軽自動車税は安くなりますか", "zeikin"),  # a tax reduction
        ("引っ越し費用の補助はありますか", "jutaku"),  # moving costs
        ("転居届はどこに出す？", "juminhyo"),  # registering an address
        ("シルバーパスは何歳からもらえますか", "kaigo_hoken"),
        ("How do I get a silver pass?", "kaigo_hoken"),
    ],
)
def test_other_ward_services_get_their_pointer(
    matcher: BandedMatcher, text: str, pointer: str
) -> None:
    assert refused_with(matcher, text) == pointer


@pytest.mark.parametrize(
    "text",
    [
        "使い捨ての吸引カテーテルに補助はある？",  # 使い捨て is a supply, not rubbish
        "他の区から千代田区に引っ越してくる予定です",  # moving in is the coordinators'
        "区役所の住所を教えて",  # the desk's own address
        "兄弟姉妹向けのイベントはある？",
    ],
)
def test_supplies_moving_in_and_the_desks_address_stay_ours(
    matcher: BandedMatcher, text: str
) -> None:
    assert stays_ours(matcher, text)


@pytest.mark.parametrize(
    ("text", "pointer"),
    [
        ("シングルマザーです。児童育成手当はいくらですか", "hitorioya"),  # the single-parent one
        ("ひとり親家庭の医療費助成の申請は？", "hitorioya"),
        ("不妊治療の費用の助成はありますか", "shussan"),  # not the child's medical costs
        ("夫の特定健診の案内が届きません", "kenko_hoken"),  # an adult's check-up
        ("がん検診の予約をしたい", "kenko_hoken"),
        ("元気な長男の保育料を知りたい", "hoikuen_nyuen"),  # a healthy child's nursery fee
        ("産後ケアのショートステイを使いたい。赤ちゃんは健康です", "shussan"),
        ("障害のない姉の学校説明会はいつ？", "gakko_hiyo"),
    ],
)
def test_lookalike_services_and_healthy_children_are_not_ours(
    matcher: BandedMatcher, text: str, pointer: str
) -> None:
    assert refused_with(matcher, text) == pointer


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        # A single parent raising a child with medical care asks about the child's care.
        ("ひとり親で医ケア児を育てています。短期入所を利用したいです", "tanki_nyusho"),
        # A child on a ventilator may well be called 元気: the device keeps it ours.
        ("呼吸器をつけていますが元気です。保育園に入れますか", "hoikuen"),
        ("特別児童扶養手当の申請方法を知りたい", "tokuji_teate"),
        ("最近元気ないけど、ショートステイを使ってもいい？", None),  # 元気ない: not healthy
    ],
)
def test_a_child_with_care_stays_ours_whatever_else_is_said(
    matcher: BandedMatcher, text: str, topic: str | None
) -> None:
    match = matcher.match(text, "ja")
    assert match.mode != "refuse" or match.offtopic is None
    if topic is not None:
        assert topic in ((match.topic,) if match.mode == "answer" else match.suggestions)


def test_a_negated_healthy_word_says_the_opposite(scope: ScopeFinder) -> None:
    assert scope.says_healthy(normalize("元気な長男の学童クラブ"))
    assert scope.says_healthy(normalize("My son has no health issues"))
    assert not scope.says_healthy(normalize("最近元気ないです"))
    assert not scope.says_healthy(normalize("元気なくてぐったり"))


@pytest.mark.parametrize(
    ("text", "pointer"),
    [
        ("看護学部の卒論で医ケア児のご家族にアンケートに協力していただきたい", "irai"),  # research
        ("弊社の吸引器を区で紹介してもらえませんか", "irai"),  # a business
        ("在宅医療関連の株って今買うべき？", "zatsudan"),  # investing
        ("訪問看護師さんへのお礼の品は何がいい？", "zatsudan"),  # a gift
        # Thanks with nothing asked, whatever it names.
        ("先日の面談の件、いつもありがとう。感謝しています", "aisatsu"),
        ("コーディネーターさん、本当に助かりました", "aisatsu"),
    ],
)
def test_requests_investing_gifts_and_thanks_only_are_not_questions_for_the_faq(
    matcher: BandedMatcher, text: str, pointer: str
) -> None:
    assert refused_with(matcher, text) == pointer


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        # Thanks with a question, or with a clear subject, still gets the answer.
        ("いつもありがとうございます。訪問看護の申し込み方を教えてください", "houmon_kango"),
        ("ありがとうございます。呼吸器の停電対策", "teiden_dengen"),
        ("Thank you! How do I apply for the disability certificate?", "shintai_techo"),
        ("来年から小学生です。就学相談はいつから？", "shugaku"),  # 小学生です: no researcher
    ],
)
def test_a_question_with_thanks_still_gets_its_answer(
    matcher: BandedMatcher, text: str, topic: str
) -> None:
    match = matcher.match(text, "ja")
    assert topic in ((match.topic,) if match.mode == "answer" else match.suggestions)


@pytest.mark.parametrize(
    ("text", "pointer"),
    [
        # Look-alikes: high-school tuition support, an employee's sick pay, the adults' allowance.
        ("高校の就学支援金はいつ申請しますか", "gakko_hiyo"),
        ("傷病手当金の手続きを知りたい", "kenko_hoken"),
        ("特別障害者手当はいくらですか", "otona"),
        # A healthy child's everyday services, in short forms and hiragana.
        ("ベビシの利用料の助成はありますか", "ichiji_hoiku"),
        ("じどうかんは日曜もあいてる？", "ichiji_hoiku"),
        ("How do I apply for kindergarten for my healthy son?", "hoikuen_nyuen"),
        ("Where is the baby checkup for my healthy daughter?", "yobo_sesshu"),
        # Fares and discounts are the operator's; bicycles and pools in hiragana.
        ("都バスの割引を使いたい", "kotsu"),
        ("JRの介護者割引はありますか", "kotsu"),
        ("じてんしゃ どこに とめればいい", "chusha"),
        ("くみんぷーるは何時まで？", "kusei_ippan"),
        ("猫を飼うときの届け出は？", "kusei_ippan"),
    ],
)
def test_look_alikes_everyday_services_and_fares_get_their_pointers(
    matcher: BandedMatcher, text: str, pointer: str
) -> None:
    assert refused_with(matcher, text) == pointer


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        # Counter-examples: the child's own allowance, kindergarten for a child with care,
        # the parking exemption the FAQ answers, and what a certificate brings.
        ("障害児福祉手当はいくらですか", "shogaiji_fukushi_teate"),
        ("Can my son with a trach go to kindergarten?", "hoikuen"),
        ("駐車禁止の除外ってどうやって申請するの", "ido_shien"),
        ("就学相談はいつから？", "shugaku"),
    ],
)
def test_the_faq_keeps_the_childs_allowance_kindergarten_and_parking_exemption(
    matcher: BandedMatcher, text: str, topic: str
) -> None:
    match = matcher.match(text, "ja")
    assert topic in ((match.topic,) if match.mode == "answer" else match.suggestions)


@pytest.mark.parametrize(
    ("text", "pointer"),
    [
        # Medical judgement: raising a setting, a temperature, how often to replace, which clinic.
        ("呼吸器の酸素を上げたほうがいい？", "iryo_soudan"),
        ("加湿器は何度にすればいい", "iryo_soudan"),
        ("カニューレは何か月で交換するの", "iryo_soudan"),
        ("What alarm level is right for his oximeter?", "iryo_soudan"),
        ("おすすめのクリニックを教えて", "iryo_soudan"),
        # Appeals and family law.
        ("受給者証の申請が却下されました", "funso"),
        ("親権のことで相談したい", "funso"),
        # Taking a care qualification or course.
        ("ヘルパーの資格とるには", "shigoto"),
        ("喀痰吸引等研修を受けたい", "shigoto"),
        # A visa stay, registering as a resident, looking for a new home.
        ("医療滞在ビザの更新は？", "zairyu"),
        ("How do I register as a new resident?", "juminhyo"),
        ("広い部屋に引っ越し先を探したい", "jutaku"),
    ],
)
def test_medical_legal_job_residence_and_housing_get_their_pointers(
    matcher: BandedMatcher, text: str, pointer: str
) -> None:
    assert refused_with(matcher, text) == pointer


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        # Counter-examples: writing the illness's name here is a privacy question; a helper
        # to use, and a move's hand-over, are ours.
        ("LINEに子どもの病名を書いても大丈夫ですか", "kojin_joho"),
        ("ヘルパーに来てもらいたい", "kyotaku_kaigo"),
        ("呼吸器の停電対策を教えて", "teiden_dengen"),
    ],
)
def test_privacy_helpers_and_devices_stay_ours(
    matcher: BandedMatcher, text: str, topic: str
) -> None:
    match = matcher.match(text, "ja")
    assert topic in ((match.topic,) if match.mode == "answer" else match.suggestions)


@pytest.mark.parametrize(
    ("text", "pointer"),
    [
        ("are you a real person or a bot?", "zatsudan"),  # chit-chat about the chat itself
        ("吸引器を開発している会社です。製品の紹介をさせてください", "irai"),  # a business
        ("区内の医療的ケア児の人数を教えて", "irai"),  # asking for figures
        ("医ケア児の支援に寄付したい", "irai"),  # an offer of a donation
        ("訪問看護の年間の利用件数は？", "irai"),  # figures by the year
        ("文字を大きくするにはどうしたらいい？", "chat_settei"),  # the chat's display
        ("了解です、なるほど", "aisatsu"),  # an acknowledgement, nothing asked
        ("Is there a nurse position open at your office?", "shigoto"),  # a post
        ("更生医療って申請できますか", "otona"),  # the adults' rehabilitation medical care
        ("マンションの隣の工事の騒音がひどい", "jutaku"),  # noise next door
        ("消費者センターに相談したいことがあります", "kusei_ippan"),  # consumer affairs
        ("いーたっくすで確定申告するには", "zeikin"),  # filing online
        ("りこん したら 手当は どうなるの", "funso"),  # divorce in kana
        ("家を買うときの相談はできますか", "jutaku"),  # buying a home
        ("医ケア児のいる施設で夜勤の仕事ってありますか", "shigoto"),  # a night-shift post
        ("熱が続いていますが、病院に行ったほうがいいですか", "iryo_soudan"),  # see a doctor?
        ("When is the 3-month checkup for a healthy baby?", "yobo_sesshu"),  # a check-up
        ("防災用品のあっせんはいつありますか", "kusei_ippan"),  # disaster goods for everyone
    ],
)
def test_chit_chat_offers_figures_and_the_chats_display_get_their_pointers(
    matcher: BandedMatcher, text: str, pointer: str
) -> None:
    assert refused_with(matcher, text) == pointer


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        # Counter-examples: asking for a person is asking for a coordinator; a service's
        # capacity is about the service.
        ("Can I talk to a real person?", "coord_contact"),
        ("ショートステイの定員の人数は？", "tanki_nyusho"),
    ],
)
def test_asking_for_a_person_or_a_services_capacity_stays_ours(
    matcher: BandedMatcher, text: str, topic: str
) -> None:
    match = matcher.match(text, "en" if text.isascii() else "ja")
    assert topic in ((match.topic,) if match.mode == "answer" else match.suggestions)


@pytest.mark.parametrize("pattern", ["何％", "？", "a", "ね"])
def test_a_pattern_that_normalises_to_next_to_nothing_is_refused(
    tmp_path: Path, pattern: str
) -> None:
    root = copy_shipped(tmp_path)
    path = root / "offtopic.yaml"
    text = path.read_text("utf-8")
    assert "patterns: [ごみ, ゴミ," in text
    path.write_text(text.replace("patterns: [ごみ, ゴミ,", f"patterns: [ごみ, '{pattern}',", 1),
                    "utf-8")
    result = load_content(root)
    assert result.content is None
    [problem] = [p for p in result.errors if p.file == "offtopic.yaml"]
    assert pattern in str(problem) and "gomi" in str(problem)


def test_one_kanji_written_alone_is_a_pattern_of_its_own(tmp_path: Path) -> None:
    root = copy_shipped(tmp_path)
    path = root / "offtopic.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("patterns: [ごみ, ゴミ,", "patterns: [ごみ, 芥,", 1), "utf-8")
    assert load_content(root).content is not None


def test_what_a_question_only_compares_with_is_not_its_matter(matcher: BandedMatcher) -> None:
    # An adult service named to say what the desk's own is like.
    compared = matcher.match(
        "障害児相談支援ってよく聞くけど、具体的に何してもらえるの？"
        "高齢者のケアマネさんみたいなもの？",
        "ja",
    )
    assert (compared.mode, compared.topic) == ("answer", "soudan_shien")
    # The adult or the place outside the comparison still decides.
    assert matcher.match("高齢者のショートステイみたいなのを父に使いたい", "ja").offtopic == "otona"
    assert matcher.match("船橋市のマル乳みたいな制度って何歳まで使えますか", "ja").mode == "refuse"


@pytest.mark.parametrize(
    "text",
    ["申し込みたいなと思っています", "試してみたいな", "育成医療はどのような場合に使えますか"],
)
def test_a_verb_or_a_question_word_is_no_comparison(text: str) -> None:
    assert without_comparisons(normalize(text)) == normalize(text)
