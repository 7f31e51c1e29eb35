"""Emergencies are recognised in any words; the same words about the past, a
hypothetical or preparation are not."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from content.loader import load_content
from content.matching.emergency import TriageDetector
from content.triage_models import TriageFile


@pytest.fixture(scope="module")
def detector() -> TriageDetector:
    content = load_content().content
    assert content is not None and content.triage is not None
    return TriageDetector(content.triage)


@pytest.mark.parametrize(
    "text",
    [
        "息をしてない！",
        "むすめが いきしてないかも",
        "いきが できてない",
        "唇が紫色になってきた",
        "かおいろが むらさき",
        "ﾁｱﾉｰｾﾞがでてる",
        "気管カニューレが抜けちゃった",
        "かにゅーれ とれた どうしよう",
        "発作がもう10分止まりません",
        "けいれん とまらない",
        "何度呼んでも反応しない",
        "意識がもうろうとしてる",
        "人工呼吸器のアラームが鳴りっぱなし",
        "停電して呼吸器が動かなくなりました",
        "my daughter stopped breathing",
        "his face is turning blue",
        "the trach tube came out and won't go back",
        "the seizure still won't stop",
        "he is not responding to me",
    ],
)
def test_emergency_in_many_forms_is_recognised(
    detector: TriageDetector, text: str
) -> None:
    assessment = detector.assess(text)
    assert assessment.emergency, text
    assert assessment.signals


def test_emergency_buried_in_a_long_message_is_recognised(
    detector: TriageDetector,
) -> None:
    story = (
        "いつもありがとうございます。来年の就学相談のことや、ヘルパーさんの件でいろいろ聞きたいことが"
        "あって書いています。" * 20
        + "すみません、今それどころではなくて、息子の顔色が真っ青で息が苦しそうです。"
        + "あとで落ち着いたらまた連絡します。" * 5
    )
    assert detector.assess(story).emergency


@pytest.mark.parametrize(
    "text",
    [
        "先月けいれんで入院しました",
        "1歳のときに呼吸が止まって運ばれたことがあります",
        "もし停電したら呼吸器はどうなりますか",
        "万が一カニューレが抜けたら、どう対応すればいいですか",
        "痙攣が止まらないときの対処を主治医に聞いておきたい",
        "停電のとき人工呼吸器の電源はどうすればよいですか",
        "カニューレが抜けたときの練習会はありますか",
        "呼吸器をつけていても放デイに通えますか",
        "てんかん発作がある子の保育園",
        "What should we do if the ventilator stops in a blackout?",
        "he had a seizure three weeks ago, can he still go to school?",
        "is there training for when the trach comes out?",
    ],
)
def test_past_hypothetical_and_service_questions_are_not_flagged(
    detector: TriageDetector, text: str
) -> None:
    assert not detector.assess(text).emergency, text


def test_the_past_does_not_hide_what_is_happening_again_now(
    detector: TriageDetector,
) -> None:
    assert detector.assess("去年も同じことがあったけど、今また息ができなくなってる").emergency


def test_a_pasted_page_is_read_to_its_end(detector: TriageDetector) -> None:
    # How long such a page takes is printed by benchmarks/long_messages.py.
    page = "呼吸器とカニューレと吸引とけいれんと停電の話。" * 250
    assert not detector.assess(page).emergency
    assert detector.assess(page + "いま息をしていません").emergency


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("胃ろうのボタンが抜けちゃった", "gtube"),
        ("The G-tube came out and the balloon is burst", "gtube"),
        ("子どもがボタン電池を飲み込んだかもしれない", "ingestion"),
        ("気切のところから血が出てて止まらない", "bleeding"),
        ("サチュ80前後から上がらない、吸引しても変わらない", "spo2"),
        ("sats are 78 and not coming up even with suction", "spo2"),
        ("酸素ボンベがもうすぐ空になる、予備がない", "oxygen"),
        ("停電してて呼吸器が内部バッテリーで動いてる", "power"),
        ("生後2か月で熱が38.4度あります", "infant_fever"),
        ("my 6 week old has a temperature of 38.5", "infant_fever"),
        ("けいれんが10分続いています", "seizure"),
        ("上の子が階段から落ちて頭を打って、そのあと吐いた", "head"),
        ("NGチューブが半分抜けてる、注入中だった", "ngtube"),
        ("CVカテーテルが外れて血が逆流してる", "cvline"),
    ],
)
def test_each_kind_of_danger_is_named_for_its_guidance(
    detector: TriageDetector, text: str, category: str
) -> None:
    assessment = detector.assess(text)
    assert assessment.emergency and category in assessment.signals, (text, assessment)


@pytest.mark.parametrize(
    "text",
    [
        "さっきカニューレが抜けたけど、すぐ入れ直せて今は落ち着いています",
        "祖母が在宅酸素で、ボンベが切れそうだと言っている",
        "My father is on home oxygen and the concentrator stopped",
        "ニュースで子どもがボタン電池を飲み込んだ話を見て怖くなった",
        "サチュ96で落ち着いています。元気です",
        "生後2か月の頃に熱が出て入院したことがあります",
    ],
)
def test_resolved_adults_and_other_peoples_stories_are_not_flagged(
    detector: TriageDetector, text: str
) -> None:
    assert not detector.assess(text).emergency, text


def test_a_brother_or_sister_in_danger_is_an_emergency(detector: TriageDetector) -> None:
    assert detector.assess("弟がタバコを食べちゃったみたい、祖母が見てたんだけど").emergency


def test_a_resolution_still_to_come_is_no_resolution(detector: TriageDetector) -> None:
    assert detector.assess("息ができてない。落ち着いたら連絡します").emergency


def test_asking_whether_to_call_an_ambulance_counts_unless_it_is_hypothetical(
    detector: TriageDetector,
) -> None:
    assert detector.assess("救急車呼んだほうがいい？").emergency
    assert not detector.assess("息が止まったら救急車を呼ぶべきですか").emergency


def test_a_vague_worry_about_a_baby_gets_the_calm_line_only(detector: TriageDetector) -> None:
    assessment = detector.assess("なんかいつもと様子が違う気がする")
    assert assessment.possible and not assessment.emergency


def test_the_model_adds_what_the_signs_miss_but_never_against_the_scope() -> None:
    from content.matching.emergency import MODEL_SIGNAL
    from content.matching.triage_model import TriageModel

    content = load_content().content
    assert content is not None and content.triage is not None
    signs_only = TriageDetector(content.triage)
    both = TriageDetector(content.triage, TriageModel.shipped())
    unseen = "こどもがぐにょぐにょで、目がぜんぜんあわない、どうしよう"
    assert not signs_only.assess(unseen).emergency
    assessment = both.assess(unseen)
    assert assessment.emergency and assessment.signals == (MODEL_SIGNAL,)
    # The same words told about last week: the model stays quiet.
    assert not both.assess("先週、こどもがぐにょぐにょで、目がぜんぜんあわなかった").emergency
    assert not both.assess("放課後等デイサービスの申し込み方法を教えてください").emergency


def test_training_learns_from_labelled_messages() -> None:
    from content.matching.ngrams import train

    examples = [(True, "息をしていない"), (True, "唇が紫"), (False, "手当の申請方法"),
                (False, "保育園の見学")] * 5
    model = train(examples)
    assert model.probability("息をしていないかも") > 0.5 > model.probability("手当の申請")


def test_the_model_speaks_only_where_a_word_of_danger_is() -> None:
    from content.matching.triage_model import TriageModel

    content = load_content().content
    assert content is not None and content.triage is not None
    model = TriageModel.shipped()
    both = TriageDetector(content.triage, model)
    # Whatever the n-grams make of a greeting, it names no device, body part or symptom.
    greeting = "good morning! just checking in, all ok here"
    assert not both.assess(greeting).emergency


@pytest.mark.parametrize(
    "text",
    [
        "Her lips are always a bit blue, that's normal for her",  # a habit between its words
        "サチュはいつも88くらいで、主治医もそれでいいと言っています",
        "酸素ボンベが空になりかけたけど業者さんがすぐ届けてくれて助かりました",
        "Last week she had a seizure that lasted 8 minutes, she's fine now",
    ],
)
def test_habits_and_resolutions_around_a_signs_own_words(
    detector: TriageDetector, text: str
) -> None:
    assert not detector.assess(text).emergency


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # 止まりました is the failure here, not the alarm stopping.
        ("酸素濃縮器がエラーで止まりました。予備のボンベもあと30分です", "oxygen"),
        ("カップ麺のお湯が足に！！靴下を脱がせたら皮ごと剥がれた", "burn"),
        ("犬に顔を噛まれて傷が深い", "bleeding"),
        ("熱があって、コップで押しても消えない紫の発疹が出てきた", "rash"),
        ("高校生の兄が死にたいと言って薬をたくさん持っている", "selfharm"),
    ],
)
def test_more_kinds_of_danger(detector: TriageDetector, text: str, kind: str) -> None:
    assessment = detector.assess(text)
    assert assessment.emergency and kind in assessment.signals


def test_a_saturation_reading_follows_the_words_of_the_saturation_term(
    detector: TriageDetector,
) -> None:
    # パルオキ is written only in triage.yaml's saturation term: the number after it is read
    # because the reading takes its words from there.
    assert detector.assess("パルオキが85").signals == ("spo2",)
    assert detector.assess("パルオキが97").emergency is False
    content = load_content().content
    assert content is not None and content.triage is not None
    terms = dict(content.triage.terms)
    terms["saturation"] = ["パルオキ"]
    narrow = TriageDetector(content.triage.model_copy(update={"terms": terms}))
    assert narrow.assess("パルオキが85").signals == ("spo2",)
    assert narrow.assess("SpO2が85").emergency is False


def test_a_sign_reading_saturation_needs_the_saturation_term() -> None:
    content = load_content().content
    assert content is not None and content.triage is not None
    data = content.triage.model_dump()
    del data["terms"]["saturation"]
    data["signs"] = [s for s in data["signs"] if "saturation" not in s["all"] + s["unless"]]
    TriageFile.model_validate(data)  # valid without the term while no sign reads a saturation
    data["signs"].append({"category": "spo2", "all": ["@spo2_low"]})
    with pytest.raises(ValidationError, match="term saturation"):
        TriageFile.model_validate(data)


def test_numbers_in_kanji_before_a_unit_are_read() -> None:
    from content.matching.quantities import arabic_numbers

    assert arabic_numbers("生後五十日、三十八度五分") == "生後50日、38.5度"
    # Only before a unit: 一安心 and 一人 keep their kanji.
    assert arabic_numbers("一安心、一人で") == "一安心、一人で"


def test_a_gas_leak_with_a_child_unwell_is_an_emergency(detector: TriageDetector) -> None:
    assessment = detector.assess("家の中がガスくさい、子どもが頭痛いって言ってる")
    assert assessment.emergency and "gas" in assessment.signals
    assert not detector.assess("ガスの点検はいつですか").emergency


def test_a_chemical_in_the_eye_is_an_emergency(detector: TriageDetector) -> None:
    for text in ("目に漂白剤入った", "Got bleach in her eye, she's screaming"):
        assessment = detector.assess(text)
        assert assessment.emergency and "eye" in assessment.signals
    assert not detector.assess("洗剤が目に入ったらどうすればいい？").emergency


def test_what_happened_while_asleep_is_an_event_not_a_habit(detector: TriageDetector) -> None:
    # 寝てる間に…抜けてて is what was found; 寝てるときに抜けることがある is a habit.
    assert detector.assess("寝てる間にカニューレ抜けてて、予備も入らない").emergency
    assert not detector.assess("寝てるときにカニューレが抜けることがあります").emergency


def test_a_question_about_what_a_condition_would_do_is_not_an_emergency(
    detector: TriageDetector,
) -> None:
    assert not detector.assess("地震で停電したら、酸素濃縮器って止まっちゃうんですよね？").emergency
    # The same clauses told as what happened are.
    assert detector.assess("地震で停電して、酸素濃縮器が止まっちゃった！顔色わるい").emergency


def test_a_past_that_names_the_wound_does_not_date_the_bleeding(detector: TriageDetector) -> None:
    assert detector.assess("先週手術した傷から血がじわじわ止まらなくて、ガーゼもう5枚目").emergency
    assert not detector.assess("先週、傷から血が止まらなくて病院で縫ってもらいました").emergency


def test_an_adult_who_is_away_is_no_adult_patient(detector: TriageDetector) -> None:
    assert detector.assess(
        "Ventilator tube is broken near the trach, I hold it with hand, my husband not home"
    ).emergency
    assert detector.assess("夫が仕事でいない、カニューレ抜けて入らない").emergency
    assert not detector.assess("My husband cut his hand and it's bleeding a lot").emergency


def test_what_followed_the_parents_own_reinsertion_is_told(detector: TriageDetector) -> None:
    assert detector.assess("経鼻胃管いれなおしたら咳がとまらなくて苦しそう").emergency
    assert not detector.assess("経鼻胃管が抜けたけど入れ直したら落ち着きました").emergency


def test_an_adult_who_is_the_signs_subject_in_its_clause_is_no_child_in_danger(
    detector: TriageDetector,
) -> None:
    assert not detector.assess(
        "おばあちゃんが今朝から息苦しいって言ってて病院連れて行きたいんだけど呼吸器の子を連れていけない"
    ).emergency
    assert not detector.assess(
        "I cut my finger badly while cooking and it's bleeding a lot, who can watch my son's vent?"
    ).emergency
    # Away, asleep or helping, an adult is no patient.
    for text in ("サチュ79 and dropping、今バギングしてる、夫がhospitalに電話中",
                 "妻が仮眠中で、モニター見たらSpO2が85、吸引もしたけど戻りません"):
        assert detector.assess(text).emergency, text


def test_new_signs_of_the_thirteenth_round(detector: TriageDetector) -> None:
    for text in (
        "息子が2時間前から急に玉が痛いって泣いてて、見たら片方が真っ赤に腫れてる",
        "胃ろうから引いたら、コーヒーみたいな茶色いものがたくさん引けました",
        "shock from wall socket, son 3yo, crying, burn mark on fingers, what now",
        "Heart rate on the monitor says 240 and he's pale and sweaty.",
        "発作がいつもより長くてもう10分くらい続いてます",
        "上の子が弟のフェノバールをジュースと間違えて全部飲んだかもしれない",
    ):
        assert detector.assess(text).emergency, text
    for text in (
        "Our pulse ox probe keeps falling off at night. Any tips?",
        "She's been seizure-free for 6 months. Do we still need to keep two Buccolam doses?",
        "大きい地震きたら、エレベーター止まって呼吸器の子抱えて階段で避難できるのかな…",
    ):
        assert not detector.assess(text).emergency, text


def test_fourteenth_round_signs_and_scope(detector: TriageDetector) -> None:
    # A heart child who fainted stays an emergency however well they seem after.
    assert detector.assess(
        "my 9 yo (TOF repair) said his chest felt weird then blacked out for a few seconds."
        " awake now and says he's fine"
    ).emergency
    assert detector.assess("糖尿病の娘が低血糖で意識がございません。").emergency
    assert not detector.assess(
        "bath scare, he slipped but my hand was on him and his head never went under"
    ).emergency
    assert not detector.assess(
        "vent alarms 5 or 6 times a night from leaks when he rolls over, always settles"
    ).emergency



@pytest.mark.parametrize(
    "text",
    [
        # あたまに holds たまに; びりっと来た holds とき; a past とき told on is what happened.
        "こども あたまに シャント ある。きょう はく はく、あたま いたい、ねむい",
        "コードの被覆が破れていて、娘が触ったときにビリッときたようです。手のひらが黒くなっています。",
        # 復旧しない, reconnected but still alarming: the failure goes on.
        "ブレーカー落ちた、vent on battery、上げても復旧しない",
        'Trilogy alarming "circuit disconnect" over and over, I\'ve reconnected everything and'
        " it won't stop, she looks distressed",
        "trach抜けた 再挿入できない help",
        # Little urine, feeds not going in, sleeping on; a soft spot sinking.
        "注入が入らなくなって丸一日。尿は朝少し出ただけで、今はずっと眠っています。",
        "baby no pee all day, very sleep, the soft spot on her head is sink in",
        # Medicine gone: an empty pack, contents gone, a medicine by name, a poison in kana.
        "found my toddler with an empty blister pack of his sister's seizure meds,"
        " don't know how many he took",
        "弟が、兄の胃ろう用に準備していたフェノバールのシリンジを口に入れていました。中身は全部なくなっています。",
        "こども 洗剤 のみました。せき してる。どうしますか",
        # More words for breathing, answering, allergy, burns, water, lines and wounds.
        "My daughter seems to be pausing in her breathing for maybe 15-20 seconds at a time"
        " since about 10 minutes ago.",
        "公園から帰ってきたら40度あって吐いて呼んでも返事が弱い",
        "新しい抗生剤の点滴を始めてから全身に発疹が出てきて、呼吸器の気道内圧がどんどん上がってきています",
        "なべの あぶら かおに かかった",
        "気切の子をお風呂に入れてたら、お湯が気切口に入ってしまいました。ゴボゴボいってて吸引してもまだ水が引けます",
        "CVのルート、お姉ちゃんがふざけてハサミで切っちゃった…いまクランプしてる",
        "Little one got her finger crushed in the door, the tip looks nearly cut off.",
        "baby's lips going purple after crying and not turning pink again, 2 min now",
        # A device the child lives with, named in the past, and what is wrong now.
        "broviac line cracked near the clamp yesterday and now he has a fever of 39 and is shaking",
        # Putting it back failed; かもしれない is "maybe", not "if"; a limb not moved after a
        # fall; no pee and no energy in kana.
        "trach tube came out!! tried to put back it, it won't go in",
        "ベッドから床に落としてしまって、頭を打ったかもしれない。右腕を動かそうとしない",
        "おしっこ ない。げんき ない。みず のめない",
        # The full negative of ている reads as its spoken form (していません as してません).
        "娘が息をしていません",
        "朝からおしっこが出ていません。ぐったりしていて呼んでも反応していません",
        # Polite forms of the stem: 鳴り止みません, 残量がありません, 目を覚ましません.
        "人工呼吸器のアラームが鳴り止みません",
        "酸素ボンベの残量がありません",
        "名前を呼んでも返事をしません、目を覚ましません",
        # Skin that has sloughed after a burn; chest pain and a collapse in any child.
        "やけどをして、皮膚がただれています",
        "胸が痛いと言って倒れました",
        # After a seizure, consciousness that does not come back, in keigo.
        "けいれんは治まりましたが、その後も意識が戻らず、お声がけにも反応がございません",
        # Kana vomiting, green; a medicine pushed down the tube by mistake; a tongue falling
        # back again; a worry about what may follow a cut line that has happened.
        "むすこ ずっと はきます。みどりの みず",
        "兄が大人用の解熱剤をシリンジで胃ろうから注入しちゃって、量がわからない",
        "舌が落ち込んで息がしづらそう。あごを上げてもまたすぐ戻る",
        "中心静脈の管を切っちゃって先がなくなってる、体の中に入ってないか心配",
        # A shock in a child with a heart condition, however well they look.
        "心臓病の娘がコンセントで感電しました。いまは元気そうです",
        # A fire at home now.
        "台所から火が出て煙が充満してる、娘は呼吸器です",
        "house fire, smoke everywhere, my son is on oxygen",
        # Numbers in kanji; the sign again in the next sentence, not its end; a past told in
        # a later clause is about something else.
        "生後五十日の孫が熱を出しております。三十八度五分でございます",
        "娘の呼吸がさっきから時々10秒くらい止まります。今もまた止まりました",
        "弟が胸いたいって言って倒れた、しんぞうの手術したことある",
    ],
)
def test_more_ways_danger_now_is_told(detector: TriageDetector, text: str) -> None:
    assert detector.assess(text).emergency


@pytest.mark.parametrize(
    "text",
    [
        # A plan for next time, and the past.
        "先週胃ろうが抜けて救急で入れてもらいました。次に抜けた時のために予備を置けますか？",
        "まえに いろうが ぬけたとき すごく あせった けど いまは なれた",
        "he had a seizure last year, fine now",
        "3年前にシャント不全で緊急手術したことがあります。それ以来、頭痛の訴えには敏感になりました",
        # Already put right.
        "パンが喉に詰まったけど背中叩いたら出ました 今は元気に泣いてます",
        "sats dipped to 85 but after suctioning he's back to 97 and pink again",
        "Button came out in the bath but I put the spare in straight away and she fed fine after.",
        "胃ろうボタン抜けたけど予備ですぐ入れた。漏れもない。念のため報告です",
        "先ほどNGチューブが抜けましたが、訪問看護師さんに再挿入していただき、位置確認も済みました。",
        # Settings, someone else's story, a standing worry.
        "How do I change the low SpO2 alarm threshold on the Masimo? Doctor wants it at 90.",
        "患者会のお母さんが、胃ろうが抜けて夜間救急に行ったら断られたと言っていました。",
        "上の子が下の子の呼吸器のチューブ引っ張らないか、いつもヒヤヒヤしてる",
        # Put right at once, or swapped for the spare; a phone dropped is no fall.
        "胃ろうボタン外れかけたけど すぐ戻して 漏れもないです",
        "酸素ボンベが切れそうだったけど予備に替えた、all ok",
        "スマホを落としてしまいました、画面が割れて動かないです",
        "ゲームを取り上げたら、すねて返事をしません",  # sulking, not unresponsive
        "チューブが抜けないか心配です",  # a worry about the sign itself
        "胃ろうが抜けたばあいは何時間でふさがりますか",  # 場合 in kana
        "友達のbabyがSpO2 82まで下がったんだって",  # someone else's child
        "火災警報器の電池が切れたので交換したい",  # a smoke alarm's battery, not a ventilator's
        "消防の避難訓練で火事の想定でした",  # a fire drill
    ],
)
def test_the_same_words_not_about_now_stay_quiet(detector: TriageDetector, text: str) -> None:
    assert not detector.assess(text).emergency
