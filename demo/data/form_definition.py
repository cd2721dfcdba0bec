"""The demo MTM survey (Kazakhstan R3): modules A–E as XLSForm rows, labels in en, ru and kk.

Questions and answer categories follow the instrument as the reports print it
(mtm-instrument-and-figures.md §3 and §4.1). The answer bands that move between rounds
(income, remittance share, time away, work experience) are not here: they come from the
round's codebook (demo/data/codebook.py), which the builder adds to these lists.
"""

from typing import Any

DK, REFUSE = "dk", "refuse"
YN = "yesno_dk"

# (type, name, English label, Russian label, Kazakh label, extra columns)
Row = tuple[str, str, str, str, str, dict[str, Any]]
# Translated extra columns hold (en, ru, kk).
Text3 = tuple[str, str, str]

# "Multi-select question up to three options" (three-city study; R3 the same questions).
MAX_THREE = "count-selected(.) <= 3"
MAX_THREE_MESSAGE: Text3 = (
    "Choose at most three answers",
    "Выберите не более трёх ответов",
    "Ең көбі үш жауап таңдаңыз",
)
# Where a band question leaves room for the exact figure, the builder adds the band's range
# (from the codebook) to this constraint.
REMIT_SHARE_MESSAGE: Text3 = (
    "Between 0 and 100, within the band chosen above",
    "От 0 до 100, в пределах выбранного выше диапазона",
    "0-ден 100-ге дейін, жоғарыда таңдалған аралықта",
)


def q(kind: str, name: str, en: str, ru: str, kk: str, **extra: Any) -> Row:
    return (kind, name, en, ru, kk, extra)


def _multi3(list_name: str, name: str, en: str, ru: str, kk: str, **extra: Any) -> Row:
    """A select_multiple capped at three answers."""
    return q(
        f"select_multiple {list_name}",
        name,
        f"{en} (up to three)",
        f"{ru} (не более трёх)",
        f"{kk} (үшке дейін)",
        constraint=MAX_THREE,
        constraint_message=MAX_THREE_MESSAGE,
        **extra,
    )


_WORKING = "${employment_status} = 'working'"
SURVEY: list[Row] = [
    q("start", "start", "", "", ""),
    q("end", "end", "", "", ""),
    q("today", "today", "", "", ""),
    q("deviceid", "deviceid", "", "", ""),
    q(
        "select_one yesno",
        "consent",
        "Do you agree to take part in this interview?",
        "Вы согласны принять участие в интервью?",
        "Осы сұхбатқа қатысуға келісесіз бе?",
        required="yes",
    ),
    q(
        "note",
        "no_consent_note",
        "Thank the respondent and end the interview.",
        "Поблагодарите респондента и завершите интервью.",
        "Респондентке алғыс айтып, сұхбатты аяқтаңыз.",
        relevant="${consent} = 'no'",
    ),
    q(
        "begin_group",
        "screening",
        "A. Coding and screening",
        "A. Кодирование и отбор",
        "A. Кодтау және іріктеу",
        relevant="${consent} = 'yes'",
    ),
    q(
        "text",
        "enumerator",
        "Enumerator code",
        "Код интервьюера",
        "Интервьюер коды",
        required="yes",
    ),
    q(
        "select_one region",
        "region",
        "Region or city",
        "Область или город",
        "Облыс немесе қала",
        required="yes",
    ),
    q(
        "select_one district",
        "district",
        "District",
        "Район",
        "Аудан",
        required="yes",
        choice_filter="region = ${region}",
    ),
    q(
        "integer",
        "age",
        "How old are you?",
        "Сколько вам лет?",
        "Жасыңыз нешеде?",
        required="yes",
        constraint=". >= 14 and . <= 90",
        constraint_message=(
            "Age must be between 14 and 90",
            "Возраст от 14 до 90",
            "Жасы 14 пен 90 аралығында болуы керек",
        ),
    ),
    q(
        "select_one country",
        "citizenship",
        "What is your citizenship?",
        "Ваше гражданство?",
        "Қай елдің азаматысыз?",
        required="yes",
    ),
    q(
        "select_one yesno",
        "dual_citizenship",
        "Do you have a second citizenship?",
        "Есть ли у вас второе гражданство?",
        "Екінші азаматтығыңыз бар ма?",
        required="yes",
    ),
    q(
        "select_one employment",
        "employment_status",
        "Have you worked, are you working or looking for work in Kazakhstan?",
        "Работали ли вы, работаете или ищете работу в Казахстане?",
        "Қазақстанда жұмыс істедіңіз бе, қазір істейсіз бе немесе жұмыс іздеп жүрсіз бе?",
        required="yes",
    ),
    q(
        "select_one yesno",
        "interviewed_before",
        "Were you already interviewed by IOM in this round?",
        "Вас уже опрашивали сотрудники МОМ в этом раунде?",
        "Осы кезеңде ХКҰ қызметкерлері сізден бұрын сұхбат алды ма?",
        required="yes",
    ),
    q(
        "date",
        "arrival_date",
        "When did you arrive in Kazakhstan (this time)?",
        "Когда вы приехали в Казахстан (в этот раз)?",
        "Қазақстанға (бұл жолы) қашан келдіңіз?",
        required="yes",
        constraint=". <= today()",
        constraint_message=(
            "Cannot be in the future",
            "Не может быть в будущем",
            "Болашақтағы күн болмауы керек",
        ),
    ),
    q(
        "select_one status",
        "legal_status",
        "Are you a student or trainee, a refugee or a stateless person?",
        "Вы студент или стажёр, беженец или лицо без гражданства?",
        "Сіз студент не тағылымдамадан өтушісіз бе, босқынсыз ба, әлде азаматтығы жоқ адамсыз ба?",
        required="yes",
    ),
    q("calculate", "days_in_kz", "", "", "", calculation="int(today() - date(${arrival_date}))"),
    q(
        "calculate",
        "eligible",
        "",
        "",
        "",
        calculation=(
            "if(${age} >= 18 and ${citizenship} != 'kz' and ${employment_status} != 'none' and "
            "${interviewed_before} = 'no' and ${days_in_kz} >= 30, 'yes', 'no')"
        ),
    ),
    q(
        "note",
        "ineligible_note",
        "The respondent is not eligible: end the interview.",
        "Респондент не подходит: завершите интервью.",
        "Респондент іріктеу талаптарына сай келмейді: сұхбатты аяқтаңыз.",
        relevant="${eligible} = 'no'",
    ),
    q("end_group", "", "", "", ""),
]
_ELIG = "${eligible} = 'yes'"
SURVEY += [
    q(
        "begin_group",
        "profile",
        "B. Sociodemographic profile",
        "B. Социально-демографический профиль",
        "B. Әлеуметтік-демографиялық бейін",
        relevant=_ELIG,
    ),
    q(
        "select_one sex",
        "sex",
        "Sex of the respondent",
        "Пол респондента",
        "Респонденттің жынысы",
        required="yes",
    ),
    q(
        "select_one marital",
        "marital_status",
        "Marital status",
        "Семейное положение",
        "Отбасылық жағдайы",
        required="yes",
    ),
    q(
        "select_one education",
        "education",
        "Highest level of education completed",
        "Наивысший уровень законченного образования",
        "Аяқталған ең жоғары білім деңгейі",
        required="yes",
    ),
    q(
        "select_one field",
        "education_field",
        "Field of education",
        "Область образования",
        "Білім саласы",
        relevant="${education} != 'none' and ${education} != 'primary'",
    ),
    q(
        "select_one yesno_dk",
        "household_provider",
        "Are you the main or sole provider of your household?",
        "Вы основной или единственный кормилец семьи?",
        "Сіз отбасыңыздың негізгі немесе жалғыз асыраушысысыз ба?",
        required="yes",
    ),
    q(
        "integer",
        "dependants",
        "How many people depend on your income?",
        "Сколько человек зависит от вашего дохода?",
        "Сіздің табысыңызға неше адам тәуелді?",
        required="yes",
        constraint=". >= 0 and . <= 20",
    ),
    q(
        "integer",
        "children_count",
        "How many children under 18 do you have?",
        "Сколько у вас детей до 18 лет?",
        "18 жасқа толмаған неше балаңыз бар?",
        required="yes",
        constraint=". >= 0 and . <= 15",
    ),
    q(
        "begin_repeat",
        "children",
        "Children",
        "Дети",
        "Балалар",
        repeat_count="${children_count}",
        relevant="${children_count} > 0",
    ),
    q(
        "integer",
        "child_age",
        "Age of the child",
        "Возраст ребенка",
        "Баланың жасы",
        required="yes",
        constraint=". >= 0 and . < 18",
    ),
    q(
        "select_one sex",
        "child_sex",
        "Sex of the child",
        "Пол ребенка",
        "Баланың жынысы",
        required="yes",
    ),
    q(
        "select_one child_location",
        "child_location",
        "Where does the child live?",
        "Где живет ребенок?",
        "Бала қайда тұрады?",
        required="yes",
    ),
    q(
        "select_one yesno",
        "child_school",
        "Does the child attend school?",
        "Ходит ли ребенок в школу?",
        "Бала мектепке бара ма?",
        relevant="${child_age} >= 7",
    ),
    q("end_repeat", "", "", "", ""),
    q(
        "select_one yesno",
        "family_in_kz",
        "Do family members live with you in Kazakhstan?",
        "Живут ли с вами члены семьи в Казахстане?",
        "Қазақстанда сізбен бірге отбасы мүшелері тұра ма?",
        required="yes",
    ),
    q("end_group", "", "", "", ""),
    q(
        "begin_group",
        "migration",
        "C. Migration experience and intentions",
        "C. Миграционный опыт и намерения",
        "C. Көші-қон тәжірибесі және ниеттер",
        relevant=_ELIG,
    ),
    q(
        "select_one country",
        "origin_country",
        "Country of origin",
        "Страна происхождения",
        "Шыққан елі",
        required="yes",
    ),
    q(
        "date",
        "left_origin_date",
        "When did you leave your country (this time)?",
        "Когда вы уехали из своей страны (в этот раз)?",
        "Еліңізден (бұл жолы) қашан кеттіңіз?",
        required="yes",
        constraint=". <= ${arrival_date}",
    ),
    q(
        "select_one time_away",
        "time_away",
        "How long have you been away from your country?",
        "Как долго вы находитесь вне своей страны?",
        "Еліңізден кеткеніңізге қанша уақыт болды?",
        required="yes",
    ),
    q(
        "integer",
        "first_arrival_year",
        "In which year did you first come to Kazakhstan?",
        "В каком году вы впервые приехали в Казахстан?",
        "Қазақстанға алғаш рет қай жылы келдіңіз?",
        required="yes",
        constraint=". >= 1991 and . <= 2024",
    ),
    _multi3(
        "reasons",
        "migration_reasons",
        "Why did you leave your country?",
        "Почему вы уехали из своей страны?",
        "Неліктен еліңізден кеттіңіз?",
        required="yes",
    ),
    q(
        "text",
        "migration_reasons_other",
        "Other reason",
        "Другая причина",
        "Басқа себеп",
        relevant="selected(${migration_reasons}, 'other')",
        required="yes",
    ),
    _multi3(
        "why_kz",
        "why_kazakhstan",
        "Why did you choose Kazakhstan?",
        "Почему вы выбрали Казахстан?",
        "Неліктен Қазақстанды таңдадыңыз?",
        required="yes",
    ),
    q(
        "select_one stay",
        "expected_stay",
        "How long do you plan to stay in Kazakhstan?",
        "Как долго вы планируете оставаться в Казахстане?",
        "Қазақстанда қанша уақыт болуды жоспарлайсыз?",
        required="yes",
    ),
    q(
        "select_one as_expected",
        "stay_as_expected",
        "Has your stay so far been as long as you expected?",
        "Соответствует ли срок вашего пребывания тому, что вы ожидали?",
        "Мұнда болу мерзіміңіз күткеніңіздей болды ма?",
        required="yes",
    ),
    q(
        "select_one yesno",
        "lived_in_russia",
        "Did you live or work in Russia before coming here?",
        "Жили или работали ли вы в России до приезда сюда?",
        "Мұнда келгенге дейін Ресейде тұрдыңыз ба немесе жұмыс істедіңіз бе?",
        required="yes",
    ),
    q(
        "select_one yesno_dk",
        "return_to_russia",
        "Do you plan to go back to Russia?",
        "Планируете ли вы вернуться в Россию?",
        "Ресейге оралуды жоспарлайсыз ба?",
        relevant="${lived_in_russia} = 'yes'",
        required="yes",
    ),
    q(
        "select_one russia_plans",
        "russia_plans",
        "Which of these best describes your plans?",
        "Что лучше всего описывает ваши планы?",
        "Жоспарларыңызды қайсысы жақсы сипаттайды?",
        relevant="${lived_in_russia} = 'yes'",
        required="yes",
    ),
    _multi3(
        "left_russia",
        "left_russia_reasons",
        "Why did you leave Russia?",
        "Почему вы уехали из России?",
        "Неліктен Ресейден кеттіңіз?",
        relevant="${lived_in_russia} = 'yes'",
        required="yes",
    ),
    q(
        "select_one intention",
        "intention_12m",
        "What do you intend to do in the next 12 months?",
        "Что вы планируете делать в ближайшие 12 месяцев?",
        "Алдағы 12 айда не істеуді көздеп отырсыз?",
        required="yes",
    ),
    q(
        "select_one entry_doc",
        "entry_document",
        "With which document did you enter Kazakhstan?",
        "С каким документом вы въехали в Казахстан?",
        "Қазақстанға қандай құжатпен кірдіңіз?",
        required="yes",
    ),
    q(
        "select_one yesno",
        "registered",
        "Are you registered at your place of stay?",
        "Зарегистрированы ли вы по месту пребывания?",
        "Болатын жеріңіз бойынша тіркелгенсіз бе?",
        required="yes",
    ),
    q(
        "select_one permit",
        "work_permit",
        "What document allows you to work here?",
        "Какой документ дает вам право работать здесь?",
        "Мұнда жұмыс істеуге қандай құжат құқық береді?",
        required="yes",
    ),
    q("end_group", "", "", "", ""),
]
_REMIT = "${sends_money} = 'yes'"
SURVEY += [
    q(
        "begin_group",
        "employment",
        "D. Employment and remittances",
        "D. Занятость и переводы",
        "D. Жұмыспен қамту және ақша аударымдары",
        relevant=_ELIG,
    ),
    q(
        "select_one status_before",
        "status_before",
        "What was your situation before you came to Kazakhstan?",
        "Каким было ваше положение до приезда в Казахстан?",
        "Қазақстанға келгенге дейін жағдайыңыз қандай болды?",
        required="yes",
    ),
    q(
        "select_one yesno",
        "worked_before",
        "Did you work before coming to Kazakhstan?",
        "Работали ли вы до приезда в Казахстан?",
        "Қазақстанға келгенге дейін жұмыс істедіңіз бе?",
        required="yes",
    ),
    q(
        "select_one sector",
        "sector_before",
        "In which sector did you work before?",
        "В какой сфере вы работали раньше?",
        "Бұрын қай салада жұмыс істедіңіз?",
        relevant="${worked_before} = 'yes'",
        required="yes",
    ),
    q(
        "select_one current_activity",
        "current_activity",
        "What is your current work situation?",
        "Какова ваша нынешняя занятость?",
        "Қазіргі жұмыс жағдайыңыз қандай?",
        required="yes",
    ),
    q(
        "select_one work_time",
        "work_time",
        "Do you work full time or part time?",
        "Вы работаете полный или неполный рабочий день?",
        "Толық немесе толық емес жұмыс күнімен жұмыс істейсіз бе?",
        relevant=_WORKING,
        required="yes",
    ),
    q(
        "select_one employment_type",
        "employment_type",
        "What is your status in employment?",
        "Каков ваш статус занятости?",
        "Жұмыстағы мәртебеңіз қандай?",
        relevant=_WORKING,
        required="yes",
    ),
    q(
        "select_one sector",
        "sector",
        "Sector of employment",
        "Сфера занятости",
        "Жұмыс саласы",
        relevant=_WORKING,
        required="yes",
    ),
    q(
        "select_one contract",
        "contract",
        "Do you have a written employment contract?",
        "Есть ли у вас письменный трудовой договор?",
        "Сізде жазбаша еңбек шарты бар ма?",
        relevant=_WORKING,
        required="yes",
    ),
    q(
        "select_one yesno_dk",
        "pension",
        "Does your employer pay pension contributions for you?",
        "Платит ли работодатель за вас пенсионные взносы?",
        "Жұмыс беруші сіз үшін зейнетақы жарналарын төлей ме?",
        relevant=_WORKING,
        required="yes",
    ),
    q(
        "select_one yesno_dk",
        "paid_leave",
        "Do you have paid annual leave?",
        "Есть ли у вас оплачиваемый ежегодный отпуск?",
        "Сізде жыл сайынғы ақылы демалыс бар ма?",
        relevant=_WORKING,
        required="yes",
    ),
    q(
        "select_one yesno_dk",
        "dismissal_notice",
        "Can your employer dismiss you without notice?",
        "Может ли работодатель уволить вас без предупреждения?",
        "Жұмыс беруші сізді ескертусіз жұмыстан шығара ала ма?",
        relevant=_WORKING,
        required="yes",
    ),
    q(
        "select_one yesno",
        "experience",
        "Do you have experience in this kind of work?",
        "Есть ли у вас опыт в такой работе?",
        "Осындай жұмыста тәжірибеңіз бар ма?",
        relevant=_WORKING,
        required="yes",
    ),
    q(
        "select_one experience",
        "experience_years",
        "How many years of experience do you have?",
        "Сколько лет у вас опыта?",
        "Неше жылдық тәжірибеңіз бар?",
        relevant="${experience} = 'yes'",
        required="yes",
    ),
    q(
        "select_one job_found",
        "job_found",
        "How did you find this job?",
        "Как вы нашли эту работу?",
        "Бұл жұмысты қалай таптыңыз?",
        relevant=_WORKING,
        required="yes",
    ),
    q(
        "select_one yesno",
        "agency",
        "Did you use a recruitment agency?",
        "Пользовались ли вы услугами кадрового агентства?",
        "Кадр агенттігінің қызметін пайдаландыңыз ба?",
        relevant=_WORKING,
        required="yes",
    ),
    q(
        "integer",
        "hours_week",
        "How many hours do you work per week?",
        "Сколько часов в неделю вы работаете?",
        "Аптасына неше сағат жұмыс істейсіз?",
        relevant=_WORKING,
        required="yes",
        constraint=". >= 1 and . <= 100",
    ),
    q(
        "select_multiple challenges",
        "work_challenges",
        "What challenges do you face at work?",
        "С какими трудностями вы сталкиваетесь на работе?",
        "Жұмыста қандай қиындықтарға тап боласыз?",
        relevant=_WORKING,
        required="yes",
    ),
    q(
        "select_one income",
        "income_band",
        "What is your average monthly income?",
        "Каков ваш средний ежемесячный доход?",
        "Орташа айлық табысыңыз қанша?",
        required="yes",
    ),
    q(
        "select_one sufficiency",
        "income_sufficiency",
        "Is your income enough for your needs?",
        "Хватает ли вам дохода на нужды?",
        "Табысыңыз қажеттіліктеріңізге жете ме?",
        required="yes",
    ),
    q(
        "select_one yesno",
        "sends_money",
        "Do you send money home?",
        "Отправляете ли вы деньги домой?",
        "Үйге ақша жібересіз бе?",
        required="yes",
    ),
    q(
        "select_one remit_share",
        "remit_share_band",
        "Roughly what share of your income do you send home?",
        "Примерно какую долю дохода вы отправляете домой?",
        "Табысыңыздың шамамен қандай үлесін үйге жібересіз?",
        relevant=_REMIT,
        required="yes",
    ),
    q(
        "decimal",
        "remit_share",
        "What share of your income do you send home (%)?",
        "Какую долю дохода вы отправляете домой (%)?",
        "Табысыңыздың неше пайызын үйге жібересіз (%)?",
        hint=(
            "The exact figure, if the respondent can say; otherwise leave it empty.",
            "Точная цифра, если респондент может её назвать; иначе оставьте пустым.",
            "Респондент нақты санды айта алса, соны жазыңыз; әйтпесе бос қалдырыңыз.",
        ),
        relevant=(
            f"{_REMIT} and ${{remit_share_band}} != 'dk' and ${{remit_share_band}} != 'refuse'"
        ),
        constraint=". >= 0 and . <= 100",
        constraint_message=REMIT_SHARE_MESSAGE,
    ),
    q(
        "select_one frequency",
        "remit_frequency",
        "How often do you send money?",
        "Как часто вы отправляете деньги?",
        "Ақшаны қаншалықты жиі жібересіз?",
        relevant=_REMIT,
        required="yes",
    ),
    q(
        "select_one channel",
        "remit_channel",
        "How do you usually send money?",
        "Каким способом вы обычно отправляете деньги?",
        "Ақшаны әдетте қалай жібересіз?",
        relevant=_REMIT,
        required="yes",
    ),
    q(
        "select_multiple purpose",
        "remit_purpose",
        "What is the money used for?",
        "На что тратятся деньги?",
        "Ақша не үшін жұмсалады?",
        relevant=_REMIT,
        required="yes",
    ),
    q("end_group", "", "", "", ""),
    q(
        "begin_group",
        "wellbeing",
        "E. General well-being in Kazakhstan",
        "E. Общее благополучие в Казахстане",
        "E. Қазақстандағы жалпы әл-ауқат",
        relevant=_ELIG,
    ),
    q(
        "select_one housing",
        "housing",
        "What kind of housing do you live in?",
        "В каком жилье вы живете?",
        "Қандай баспанада тұрасыз?",
        required="yes",
    ),
    q(
        "select_one lives_with",
        "lives_with",
        "Whom do you live with?",
        "С кем вы живете?",
        "Кіммен бірге тұрасыз?",
        required="yes",
    ),
    q(
        "select_one yesno",
        "pays_rent",
        "Do you pay rent?",
        "Платите ли вы за аренду жилья?",
        "Баспана жалдау ақысын төлейсіз бе?",
        required="yes",
    ),
    q(
        "select_multiple housing_barrier",
        "housing_barriers",
        "What makes it hard to find housing?",
        "Что мешает найти жилье?",
        "Баспана табуға не кедергі келтіреді?",
        required="yes",
    ),
    q(
        "integer",
        "people_in_dwelling",
        "How many people live in your dwelling?",
        "Сколько человек живет в вашем жилье?",
        "Баспанаңызда неше адам тұрады?",
        required="yes",
        constraint=". >= 1 and . <= 50",
    ),
    q(
        "select_one satisfaction",
        "satisfaction",
        "How satisfied are you with your economic situation?",
        "Насколько вы довольны своим экономическим положением?",
        "Экономикалық жағдайыңызға қаншалықты ризасыз?",
        required="yes",
    ),
    q(
        "select_multiple dissatisfaction",
        "dissatisfaction_reasons",
        "Why are you not satisfied?",
        "Почему вы недовольны?",
        "Неліктен наразысыз?",
        relevant="${satisfaction} = 'dissatisfied' or ${satisfaction} = 'very_dissatisfied'",
        required="yes",
    ),
]
# Access to services (health, education, financial as R3 reports them; legal and housing aid).
_ACCESS = [
    (
        "health",
        "Do you have access to health care?",
        "Есть ли у вас доступ к медицинской помощи?",
        "Медициналық көмекке қол жеткізе аласыз ба?",
    ),
    (
        "education",
        "Do you or your children have access to education?",
        "Есть ли у вас или ваших детей доступ к образованию?",
        "Сіз немесе балаларыңыз білім алуға қол жеткізе аласыз ба?",
    ),
    (
        "bank",
        "Do you have access to financial services (a bank account)?",
        "Есть ли у вас доступ к финансовым услугам (банковскому счету)?",
        "Қаржылық қызметтерге (банк шотына) қол жеткізе аласыз ба?",
    ),
    (
        "legal",
        "Do you have access to legal advice?",
        "Есть ли у вас доступ к юридической помощи?",
        "Заң көмегіне қол жеткізе аласыз ба?",
    ),
    (
        "housing_aid",
        "Do you have access to housing support?",
        "Есть ли у вас доступ к жилищной помощи?",
        "Тұрғын үй көмегіне қол жеткізе аласыз ба?",
    ),
]
for key, en, ru, kk in _ACCESS:
    SURVEY.append(q("select_one yesno_dk", f"access_{key}", en, ru, kk, required="yes"))
SURVEY += [
    q(
        "select_multiple health_barrier",
        "health_barriers",
        "What keeps you from getting health care?",
        "Что мешает вам получить медицинскую помощь?",
        "Медициналық көмек алуға не кедергі келтіреді?",
        relevant="${access_health} = 'no'",
        required="yes",
    ),
    q(
        "select_multiple afford",
        "can_afford",
        "Which of these can you afford?",
        "Что из этого вы можете себе позволить?",
        "Осылардың қайсысына қаражатыңыз жетеді?",
        required="yes",
    ),
    q(
        "select_one informed",
        "informed_rights",
        "How well are you informed about your rights as a migrant worker?",
        "Насколько вы информированы о своих правах как трудящийся мигрант?",
        "Еңбекші мигрант ретіндегі құқықтарыңыз туралы қаншалықты хабардарсыз?",
        required="yes",
    ),
    q(
        "select_multiple info_channel",
        "info_channels",
        "Where do you get information?",
        "Откуда вы получаете информацию?",
        "Ақпаратты қайдан аласыз?",
        required="yes",
    ),
    q(
        "select_one info_language",
        "info_language",
        "In which language do you prefer to receive information?",
        "На каком языке вы предпочитаете получать информацию?",
        "Ақпаратты қай тілде алғанды қалайсыз?",
        required="yes",
    ),
    q(
        "select_one yesno_dk",
        "new_rules_aware",
        "Do you know about the new rules on entry and stay in Kazakhstan?",
        "Знаете ли вы о новых правилах въезда и пребывания в Казахстане?",
        "Қазақстанға келу және болу туралы жаңа ережелерді білесіз бе?",
        required="yes",
    ),
    q(
        "select_one relations",
        "relations_locals",
        "How are your relations with local people?",
        "Каковы ваши отношения с местными жителями?",
        "Жергілікті тұрғындармен қарым-қатынасыңыз қандай?",
        required="yes",
    ),
    q(
        "select_one relations",
        "relations_migrants",
        "How are your relations with the migrant community?",
        "Каковы ваши отношения с сообществом мигрантов?",
        "Мигранттар қауымдастығымен қарым-қатынасыңыз қандай?",
        required="yes",
    ),
    q(
        "select_one yesno_dk",
        "sanctions_impact",
        "Have sanctions on Russia affected you?",
        "Повлияли ли на вас санкции против России?",
        "Ресейге қарсы санкциялар сізге әсер етті ме?",
        required="yes",
    ),
]
_AGREE = [
    (
        "safe",
        "I feel safe here",
        "Я чувствую себя здесь в безопасности",
        "Мен мұнда өзімді қауіпсіз сезінемін",
    ),
    (
        "welcome",
        "I feel welcome here",
        "Меня здесь хорошо принимают",
        "Мені мұнда жақсы қабылдайды",
    ),
    ("fair_pay", "I am paid fairly", "Мне платят справедливо", "Маған әділ ақы төлейді"),
    (
        "treated_equal",
        "I am treated like local workers",
        "Ко мне относятся как к местным",
        "Маған жергілікті жұмысшыларға сияқты қарайды",
    ),
    (
        "recommend",
        "I would recommend Kazakhstan to friends",
        "Я бы порекомендовал Казахстан друзьям",
        "Мен Қазақстанды достарыма ұсынар едім",
    ),
]
for key, en, ru, kk in _AGREE:
    SURVEY.append(q("select_one agree", f"agree_{key}", en, ru, kk, required="yes"))
# Hardships since arrival: a block of similar yes/no questions (straight-lining checks read it).
# (key, en, ru, kk) — the Kazakh text is the dative the question needs.
HARDSHIPS = [
    (
        "documents",
        "problems with documents or registration",
        "проблемы с документами",
        "құжаттарға немесе тіркеуге қатысты қиындықтарға",
    ),
    ("language", "language barriers", "языковой барьер", "тіл кедергісіне"),
    ("discrimination", "discrimination", "дискриминация", "кемсітушілікке"),
    ("police", "frequent police checks", "частые проверки полиции", "полицияның жиі тексерулеріне"),
    (
        "unpaid_wages",
        "unpaid or delayed wages",
        "невыплата или задержка зарплаты",
        "жалақының төленбеуіне немесе кешігуіне",
    ),
    ("eviction", "losing your housing", "потеря жилья", "баспанадан айырылуға"),
    (
        "medical",
        "a medical emergency",
        "неотложная медицинская помощь",
        "шұғыл медициналық жағдайға",
    ),
    (
        "debt",
        "debts you cannot repay",
        "долги, которые вы не можете вернуть",
        "қайтара алмайтын қарызға",
    ),
    (
        "fraud",
        "fraud by an employer or agent",
        "обман работодателем или посредником",
        "жұмыс берушінің немесе делдалдың алдауына",
    ),
    (
        "loneliness",
        "loneliness or stress",
        "одиночество или стресс",
        "жалғыздыққа немесе күйзеліске",
    ),
]
for key, en, ru, kk in HARDSHIPS:
    SURVEY.append(
        q(
            "select_one yesno_dk",
            f"hardship_{key}",
            f"Since you arrived, have you faced {en}?",
            f"С момента приезда вы сталкивались с: {ru}?",
            f"Келгеннен бері {kk} тап болдыңыз ба?",
            required="yes",
        )
    )
SURVEY += [
    q(
        "integer",
        "hardships_count",
        "How many of these problems did you face in the last month?",
        "Со сколькими из этих проблем вы столкнулись за последний месяц?",
        "Соңғы айда осы қиындықтардың нешеуіне тап болдыңыз?",
        relevant=" or ".join(f"${{hardship_{h[0]}}} = 'yes'" for h in HARDSHIPS),
        constraint=". >= 0 and . <= " + str(len(HARDSHIPS)),
        constraint_message=(
            f"From 0 to {len(HARDSHIPS)}",
            f"От 0 до {len(HARDSHIPS)}",
            f"0-ден {len(HARDSHIPS)}-ға дейін",
        ),
        required="yes",
    ),
    q(
        "select_multiple help_source",
        "help_sources",
        "Whom did you ask for help?",
        "К кому вы обращались за помощью?",
        "Кімнен көмек сұрадыңыз?",
        relevant="${hardships_count} > 0",
        required="yes",
    ),
]
# Services used in the last 6 months. (key, en, ru, kk) — Kazakh in the accusative.
SERVICES = [
    ("clinic", "a public clinic", "государственная поликлиника", "мемлекеттік емхананы"),
    (
        "consulate",
        "your country's consulate",
        "консульство вашей страны",
        "еліңіздің консулдығын",
    ),
    (
        "ngo",
        "a non-governmental organisation",
        "неправительственная организация",
        "үкіметтік емес ұйымды",
    ),
    (
        "migration_centre",
        "a migrant service centre",
        "центр обслуживания мигрантов",
        "мигранттарға қызмет көрсету орталығын",
    ),
    (
        "money_transfer",
        "a money transfer office",
        "пункт денежных переводов",
        "ақша аудару пунктін",
    ),
    ("language_course", "a language course", "языковые курсы", "тіл курстарын"),
]
for key, en, ru, kk in SERVICES:
    SURVEY.append(
        q(
            "select_one yesno_dk",
            f"used_{key}",
            f"In the last six months, did you use {en}?",
            f"За последние шесть месяцев вы пользовались услугой: {ru}?",
            f"Соңғы алты айда {kk} пайдаландыңыз ба?",
            required="yes",
        )
    )
SURVEY += [
    q(
        "geopoint",
        "gps",
        "Record the location of the interview",
        "Запишите место интервью",
        "Сұхбат өткен орынды белгілеңіз",
        required="yes",
    ),
    q(
        "select_one yesno",
        "followup_consent",
        "May IOM contact you again?",
        "Может ли МОМ связаться с вами снова?",
        "ХКҰ сізбен қайта байланыса ала ма?",
        required="yes",
    ),
    q(
        "text",
        "phone",
        "Phone number",
        "Номер телефона",
        "Телефон нөмірі",
        relevant="${followup_consent} = 'yes'",
        constraint="regex(., '^\\+?[0-9]{10,13}$')",
        constraint_message=("10 to 13 digits", "От 10 до 13 цифр", "10-нан 13-ке дейін цифр"),
    ),
    q(
        "text",
        "comments",
        "Enumerator comments",
        "Комментарии интервьюера",
        "Интервьюердің ескертпелері",
    ),
    q("end_group", "", "", "", ""),
]

# Choice rows: (list, name, en, ru, kk).
ChoiceRow = tuple[str, str, str, str, str]


def _choices(
    name: str, items: list[tuple[str, str, str, str]], *, dk: bool = True
) -> list[ChoiceRow]:
    extra = [
        (DK, "Don't know", "Не знаю", "Білмеймін"),
        (REFUSE, "Do not want to answer", "Не хочу отвечать", "Жауап бергім келмейді"),
    ]
    return [(name, *item) for item in items + (extra if dk else [])]


_YES_NO = [("yes", "Yes", "Да", "Иә"), ("no", "No", "Нет", "Жоқ")]
_OTHER = ("other", "Other", "Другое", "Басқа")
CHOICES: list[ChoiceRow] = (
    _choices("yesno", _YES_NO, dk=False)
    + _choices(YN, _YES_NO)
    + _choices(
        "help_source",
        [
            ("family", "Family or friends", "Семья или друзья", "Отбасы немесе достар"),
            ("employer", "Employer", "Работодатель", "Жұмыс беруші"),
            ("diaspora", "Diaspora organisation", "Диаспора", "Диаспора ұйымы"),
            ("consulate", "Consulate", "Консульство", "Консулдық"),
            ("ngo", "NGO or IOM", "НПО или МОМ", "ҮЕҰ немесе ХКҰ"),
            ("none", "Nobody", "Ни к кому", "Ешкімге"),
        ],
    )
    + _choices(
        "sex",
        [("male", "Male", "Мужской", "Ер"), ("female", "Female", "Женский", "Әйел")],
        dk=False,
    )
    + _choices(
        "country",
        [
            ("uz", "Uzbekistan", "Узбекистан", "Өзбекстан"),
            ("tj", "Tajikistan", "Таджикистан", "Тәжікстан"),
            ("kg", "Kyrgyzstan", "Кыргызстан", "Қырғызстан"),
            ("ru", "Russia", "Россия", "Ресей"),
            ("cn", "China", "Китай", "Қытай"),
            ("tm", "Turkmenistan", "Туркменистан", "Түрікменстан"),
            ("az", "Azerbaijan", "Азербайджан", "Әзербайжан"),
            ("kz", "Kazakhstan", "Казахстан", "Қазақстан"),
            _OTHER,
        ],
        dk=False,
    )
    + _choices(
        "employment",
        [
            ("worked", "Has worked", "Работал(а)", "Жұмыс істеген"),
            ("working", "Is working", "Работает", "Жұмыс істейді"),
            ("looking", "Is looking for work", "Ищет работу", "Жұмыс іздеуде"),
            ("none", "None of these", "Ничего из этого", "Бұлардың ешқайсысы"),
        ],
        dk=False,
    )
    + _choices(
        "status",
        [
            ("no", "None of these", "Нет", "Жоқ"),
            (
                "student",
                "Student or trainee",
                "Студент или стажёр",
                "Студент немесе тағылымдамадан өтуші",
            ),
            ("refugee", "Refugee", "Беженец", "Босқын"),
            ("stateless", "Stateless", "Лицо без гражданства", "Азаматтығы жоқ адам"),
        ],
        dk=False,
    )
    + _choices(
        "marital",
        [
            ("single", "Single", "Холост/не замужем", "Бойдақ / тұрмыс құрмаған"),
            ("married", "Married", "Женат/замужем", "Үйленген / тұрмыста"),
            ("divorced", "Divorced", "Разведен(а)", "Ажырасқан"),
            ("widowed", "Widowed", "Вдовец/вдова", "Жесір"),
            ("engaged", "Engaged", "Помолвлен(а)", "Құда түскен"),
        ],
    )
    + _choices(
        "education",
        [
            ("none", "No education", "Нет образования", "Білімі жоқ"),
            ("primary", "Primary", "Начальное", "Бастауыш"),
            ("lower_secondary", "Lower secondary", "Основное среднее", "Негізгі орта"),
            ("upper_secondary", "Upper secondary", "Общее среднее", "Жалпы орта"),
            (
                "post_secondary",
                "Post-secondary non-tertiary (vocational)",
                "Послесреднее профессиональное (колледж)",
                "Орта білімнен кейінгі кәсіптік (колледж)",
            ),
            (
                "short_cycle",
                "Short-cycle tertiary",
                "Краткосрочное высшее",
                "Қысқа мерзімді жоғары",
            ),
            ("bachelor", "Bachelor's or equivalent", "Бакалавриат", "Бакалавриат"),
            ("master", "Master's or equivalent", "Магистратура", "Магистратура"),
            ("doctorate", "Doctoral or equivalent", "Докторантура", "Докторантура"),
        ],
    )
    + _choices(
        "field",
        [
            ("generic", "Generic programmes", "Общие программы", "Жалпы бағдарламалар"),
            ("education", "Education", "Образование", "Білім беру"),
            (
                "arts",
                "Arts and humanities",
                "Искусство и гуманитарные науки",
                "Өнер және гуманитарлық ғылымдар",
            ),
            (
                "social_sciences",
                "Social sciences, journalism and information",
                "Социальные науки, журналистика и информация",
                "Әлеуметтік ғылымдар, журналистика және ақпарат",
            ),
            (
                "business",
                "Business, administration and law",
                "Бизнес, управление и право",
                "Бизнес, басқару және құқық",
            ),
            (
                "natural_sciences",
                "Natural sciences, mathematics and statistics",
                "Естественные науки, математика и статистика",
                "Жаратылыстану ғылымдары, математика және статистика",
            ),
            (
                "ict",
                "Information and communication technologies",
                "Информационно-коммуникационные технологии",
                "Ақпараттық-коммуникациялық технологиялар",
            ),
            (
                "engineering",
                "Engineering, manufacturing and construction",
                "Инженерия, обрабатывающая промышленность и строительство",
                "Инженерия, өңдеу өнеркәсібі және құрылыс",
            ),
            (
                "agriculture",
                "Agriculture, forestry, fisheries and veterinary",
                "Сельское, лесное, рыбное хозяйство и ветеринария",
                "Ауыл, орман, балық шаруашылығы және ветеринария",
            ),
            (
                "health",
                "Health and welfare",
                "Здравоохранение и социальное обеспечение",
                "Денсаулық сақтау және әлеуметтік қамсыздандыру",
            ),
            ("services", "Services", "Услуги", "Қызмет көрсету"),
            _OTHER,
        ],
    )
    + _choices(
        "child_location",
        [
            ("kz", "With me in Kazakhstan", "Со мной в Казахстане", "Менімен бірге Қазақстанда"),
            ("origin", "In the country of origin", "В стране происхождения", "Шыққан елде"),
            ("elsewhere", "Elsewhere", "В другом месте", "Басқа жерде"),
        ],
    )
    + _choices(
        "reasons",
        [
            ("work", "Employment", "Работа", "Жұмыс"),
            ("income", "Better income", "Лучший доход", "Жоғарырақ табыс"),
            ("family", "Family reunification", "Воссоединение семьи", "Отбасымен қайта қосылу"),
            (
                "family_other",
                "Other family reasons",
                "Другие семейные причины",
                "Басқа отбасылық себептер",
            ),
            (
                "mobilization",
                "Partial mobilization in Russia",
                "Частичная мобилизация в России",
                "Ресейдегі ішінара жұмылдыру",
            ),
            ("persecution", "Persecution", "Преследование", "Қудалау"),
            (
                "conflict",
                "Fleeing a breakdown of public order and violence",
                "Бегство от нарушения общественного порядка и насилия",
                "Қоғамдық тәртіптің бұзылуы мен зорлық-зомбылықтан қашу",
            ),
            ("education", "Education", "Учёба", "Оқу"),
            _OTHER,
        ],
    )
    + _choices(
        "why_kz",
        [
            ("income", "Higher incomes", "Более высокие доходы", "Табыстың жоғарылығы"),
            ("close", "Close to home", "Близко к дому", "Үйге жақын"),
            ("network", "Friends here", "Здесь есть друзья", "Мұнда достарым бар"),
            (
                "community",
                "Migrant community from my country",
                "Сообщество мигрантов из моей страны",
                "Елімнен келген мигранттар қауымдастығы",
            ),
            ("language", "Language and culture", "Язык и культура", "Тіл мен мәдениет"),
            ("jobs", "Easy to find a job", "Легко найти работу", "Жұмыс табу оңай"),
            (
                "social",
                "Social protection and treatment",
                "Социальная защита и отношение",
                "Әлеуметтік қорғау және қарым-қатынас",
            ),
            ("family", "Family here", "Здесь семья", "Мұнда отбасым бар"),
            ("safety", "Safety", "Безопасность", "Қауіпсіздік"),
            (
                "easy_entry",
                "Easy documentation and entry",
                "Простое оформление документов и въезд",
                "Құжат рәсімдеу мен кірудің оңайлығы",
            ),
            (
                "conditions",
                "Living and working conditions",
                "Условия жизни и работы",
                "Өмір сүру және жұмыс жағдайлары",
            ),
            (
                "rights",
                "Respect for human rights",
                "Соблюдение прав человека",
                "Адам құқықтарының сақталуы",
            ),
            ("services", "Access to services", "Доступ к услугам", "Қызметтерге қолжетімділік"),
            ("education", "Education", "Образование", "Білім алу"),
        ],
    )
    + _choices(
        "stay",
        [
            ("lt6m", "Less than 6 months", "Менее 6 месяцев", "6 айдан аз"),
            ("6to12m", "6–12 months", "6–12 месяцев", "6–12 ай"),
            ("gt1y", "More than a year", "Более года", "Бір жылдан астам"),
            ("permanent", "Permanently", "Навсегда", "Біржола"),
        ],
    )
    + _choices(
        "as_expected",
        [
            ("yes", "Yes", "Да", "Иә"),
            ("no", "No", "Нет", "Жоқ"),
            ("dont_remember", "I do not remember", "Не помню", "Есімде жоқ"),
        ],
    )
    + _choices(
        "russia_plans",
        [
            (
                "return_improves",
                "Return to Russia if the situation improves",
                "Вернуться в Россию, если ситуация улучшится",
                "Жағдай жақсарса, Ресейге оралу",
            ),
            ("stay_kz", "Stay in Kazakhstan", "Остаться в Казахстане", "Қазақстанда қалу"),
            (
                "return_sanctions",
                "Return to Russia if sanctions are lifted",
                "Вернуться в Россию, если снимут санкции",
                "Санкциялар алынса, Ресейге оралу",
            ),
        ],
    )
    + _choices(
        "left_russia",
        [
            ("war_sanctions", "The war and sanctions", "Война и санкции", "Соғыс және санкциялар"),
            ("sanctions", "Sanctions", "Санкции", "Санкциялар"),
            ("war", "The war", "Война", "Соғыс"),
            (
                "ethnic",
                "Ethnicity-related harassment or fears",
                "Притеснения или опасения по этническому признаку",
                "Этникалық белгі бойынша қысым немесе қорқыныш",
            ),
            _OTHER,
        ],
    )
    + _choices(
        "intention",
        [
            (
                "circulate",
                "Go back and forth between home and Kazakhstan",
                "Ездить между домом и Казахстаном",
                "Үй мен Қазақстан арасында қатынап жүру",
            ),
            (
                "stay",
                "Settle in Kazakhstan",
                "Остаться жить в Казахстане",
                "Қазақстанда тұрақтап қалу",
            ),
            ("move_on", "Move to another country", "Переехать в другую страну", "Басқа елге көшу"),
            ("return", "Return home for good", "Вернуться домой насовсем", "Еліме біржола оралу"),
        ],
    )
    + _choices(
        "entry_doc",
        [
            ("passport", "International passport", "Заграничный паспорт", "Шетелдік төлқұжат"),
            ("temporary_passport", "Temporary passport", "Временный паспорт", "Уақытша төлқұжат"),
            (
                "national_id",
                "National ID card",
                "Национальное удостоверение личности",
                "Ұлттық жеке куәлік",
            ),
            _OTHER,
        ],
    )
    + _choices(
        "permit",
        [
            ("patent", "Patent", "Патент", "Патент"),
            ("permit", "Work permit", "Разрешение на работу", "Жұмысқа рұқсат"),
            ("eaeu", "EAEU citizen, none needed", "Гражданин ЕАЭС", "ЕАЭО азаматы, қажет емес"),
            ("none", "No document", "Нет документа", "Құжат жоқ"),
        ],
    )
    + _choices(
        "status_before",
        [
            (
                "private",
                "Employed in the private sector",
                "Работал(а) в частном секторе",
                "Жеке секторда жұмыс істедім",
            ),
            (
                "public",
                "Employed in the public sector",
                "Работал(а) в государственном секторе",
                "Мемлекеттік секторда жұмыс істедім",
            ),
            (
                "daily_wage",
                "Daily wage worker",
                "Подённый работник",
                "Күнделікті ақы алатын жұмысшы",
            ),
            ("self_employed", "Self-employed", "Самозанятый(ая)", "Өзін-өзі жұмыспен қамтыған"),
            (
                "unemployed_looking",
                "Unemployed, actively looking for work",
                "Безработный(ая), активно искал(а) работу",
                "Жұмыссыз, белсенді түрде жұмыс іздедім",
            ),
            (
                "unemployed",
                "Unemployed, not looking for work",
                "Безработный(ая), не искал(а) работу",
                "Жұмыссыз, жұмыс іздеген жоқпын",
            ),
            ("student", "Student", "Студент", "Студент"),
            ("retired", "Retired", "На пенсии", "Зейнеткер"),
        ],
    )
    + _choices(
        "sector",
        [
            ("construction", "Construction", "Строительство", "Құрылыс"),
            (
                "trade",
                "Wholesale and retail trade, repair of vehicles",
                "Оптовая и розничная торговля, ремонт автомобилей",
                "Көтерме және бөлшек сауда, көлік жөндеу",
            ),
            (
                "services",
                "Community, social and personal services",
                "Коммунальные, социальные и персональные услуги",
                "Коммуналдық, әлеуметтік және жеке қызметтер",
            ),
            (
                "agriculture",
                "Agriculture, forestry and fishing",
                "Сельское, лесное и рыбное хозяйство",
                "Ауыл, орман және балық шаруашылығы",
            ),
            ("industry", "Manufacturing", "Обрабатывающая промышленность", "Өңдеу өнеркәсібі"),
            ("domestic", "Domestic work", "Домашний труд", "Үй жұмысы"),
            (
                "vocational",
                "Skilled trades (vocational)",
                "Рабочие профессии",
                "Жұмысшы мамандықтары",
            ),
            ("engineering", "Engineering", "Инженерия", "Инженерия"),
            (
                "transport",
                "Transport, storage and communications",
                "Транспорт, складирование и связь",
                "Көлік, қоймалау және байланыс",
            ),
            ("education", "Education", "Образование", "Білім беру"),
            (
                "technology",
                "Information technology",
                "Информационные технологии",
                "Ақпараттық технологиялар",
            ),
            ("health", "Health care", "Здравоохранение", "Денсаулық сақтау"),
            ("banking", "Banking and finance", "Банковское дело и финансы", "Банк ісі және қаржы"),
            (
                "tourism",
                "Tourism, accommodation and food services",
                "Туризм, гостиницы и общепит",
                "Туризм, қонақ үй және тамақтандыру",
            ),
            _OTHER,
        ],
    )
    + _choices(
        "current_activity",
        [
            (
                "private",
                "Working in the private sector",
                "Работаю в частном секторе",
                "Жеке секторда жұмыс істеймін",
            ),
            (
                "public",
                "Working in the public sector",
                "Работаю в государственном секторе",
                "Мемлекеттік секторда жұмыс істеймін",
            ),
            ("daily_wage", "Daily wage work", "Подённая работа", "Күнделікті ақылы жұмыс"),
            ("self_employed", "Self-employed", "Самозанятый(ая)", "Өзін-өзі жұмыспен қамтығанмын"),
            (
                "unemployed_looking",
                "Unemployed, looking for work",
                "Безработный(ая), ищу работу",
                "Жұмыссызбын, жұмыс іздеп жүрмін",
            ),
            (
                "unemployed",
                "Unemployed, not looking for work",
                "Безработный(ая), не ищу работу",
                "Жұмыссызбын, жұмыс іздемеймін",
            ),
        ],
    )
    + _choices(
        "work_time",
        [
            ("full_time", "Full time", "Полный рабочий день", "Толық жұмыс күні"),
            (
                "part_time",
                "Part time by choice",
                "Неполный день по своему желанию",
                "Өз қалауыммен толық емес жұмыс күні",
            ),
            (
                "forced_part_time",
                "Part time, as no full-time work is available",
                "Неполный день, так как нет работы на полный день",
                "Толық күндік жұмыс болмағандықтан толық емес жұмыс күні",
            ),
        ],
    )
    + _choices(
        "employment_type",
        [
            ("employee", "Employee", "Наёмный работник", "Жалдамалы қызметкер"),
            (
                "dependent_contractor",
                "Dependent contractor",
                "Зависимый подрядчик",
                "Тәуелді мердігер",
            ),
            (
                "self_employed",
                "Self-employed without employees",
                "Самозанятый(ая) без работников",
                "Қызметкерлері жоқ өзін-өзі жұмыспен қамтыған",
            ),
            ("employer", "Employer", "Работодатель", "Жұмыс беруші"),
        ],
    )
    + _choices(
        "contract",
        [
            (
                "written",
                "Yes, a written contract",
                "Да, письменный договор",
                "Иә, жазбаша шарт бар",
            ),
            ("none", "No written contract", "Нет письменного договора", "Жазбаша шарт жоқ"),
        ],
    )
    + _choices(
        "job_found",
        [
            (
                "friends",
                "Friends or relatives, after arriving",
                "Через друзей или родственников после приезда",
                "Келгеннен кейін достар немесе туыстар арқылы",
            ),
            (
                "friends_before",
                "Friends or relatives, before leaving home",
                "Через друзей или родственников до отъезда",
                "Елден шықпай тұрып достар немесе туыстар арқылы",
            ),
            (
                "broker_origin",
                "A broker at home",
                "Через посредника на родине",
                "Елдегі делдал арқылы",
            ),
            (
                "broker_kz",
                "A broker in Kazakhstan",
                "Через посредника в Казахстане",
                "Қазақстандағы делдал арқылы",
            ),
            (
                "agency",
                "A recruitment agency in the country of origin",
                "Через кадровое агентство в стране происхождения",
                "Шыққан елдегі кадр агенттігі арқылы",
            ),
            ("online", "Online", "Через интернет", "Интернет арқылы"),
            (
                "employer",
                "The employer found me",
                "Работодатель сам нашёл меня",
                "Жұмыс берушінің өзі тапты",
            ),
        ],
    )
    + _choices(
        "challenges",
        [
            ("language", "Language", "Язык", "Тіл"),
            (
                "contract_mismatch",
                "The contract does not match reality",
                "Договор не соответствует действительности",
                "Шарт шын жағдайға сәйкес келмейді",
            ),
            ("long_hours", "Longer hours", "Более долгие часы работы", "Ұзағырақ жұмыс уақыты"),
            ("low_pay", "Lower salary", "Более низкая зарплата", "Төменірек жалақы"),
            ("late_pay", "Late payment", "Задержка оплаты", "Жалақының кешігуі"),
            ("bureaucracy", "Bureaucracy", "Бюрократия", "Бюрократия"),
            (
                "skills",
                "The job does not match my skills",
                "Работа не соответствует моей квалификации",
                "Жұмыс біліктілігіме сәйкес келмейді",
            ),
            ("integration", "Integration", "Интеграция", "Бейімделу"),
            ("health", "Health", "Здоровье", "Денсаулық"),
            ("unsafe", "Unsafe conditions", "Опасные условия", "Қауіпті жағдайлар"),
            (
                "no_info",
                "No information on where to get support",
                "Нет информации, куда обратиться за помощью",
                "Қолдауды қайдан алуға болатыны туралы ақпарат жоқ",
            ),
            ("discrimination", "Discrimination", "Дискриминация", "Кемсітушілік"),
            ("none", "None", "Нет", "Ешқандай"),
        ],
    )
    + _choices(
        "sufficiency",
        [
            (
                "save",
                "I can buy what I need and save",
                "Могу покупать необходимое и откладывать",
                "Қажеттіні сатып алып, ақша жинай аламын",
            ),
            (
                "enough",
                "I can buy what I need but cannot save",
                "Могу покупать необходимое, но не откладывать",
                "Қажеттіні сатып ала аламын, бірақ жинай алмаймын",
            ),
            (
                "barely",
                "Enough for essentials only",
                "Хватает только на самое необходимое",
                "Тек ең қажеттісіне ғана жетеді",
            ),
            (
                "not_enough",
                "Not enough for basic needs",
                "Не хватает на базовые нужды",
                "Негізгі қажеттіліктерге жетпейді",
            ),
        ],
    )
    + _choices(
        "frequency",
        [
            (
                "more_than_monthly",
                "More than once a month",
                "Чаще раза в месяц",
                "Айына бір реттен жиі",
            ),
            ("monthly", "Monthly", "Ежемесячно", "Ай сайын"),
            ("quarterly", "Every three months", "Раз в три месяца", "Үш айда бір рет"),
            ("twice_year", "Twice a year", "Дважды в год", "Жылына екі рет"),
            ("irregular", "Irregularly", "Нерегулярно", "Тұрақсыз"),
        ],
    )
    + _choices(
        "channel",
        [
            ("bank", "Bank, in person", "В отделении банка", "Банк бөлімшесінде"),
            (
                "friends_online",
                "Online through friends or relatives",
                "Онлайн через друзей или родственников",
                "Достар немесе туыстар арқылы онлайн",
            ),
            (
                "mto",
                "Money transfer operator",
                "Оператор денежных переводов",
                "Ақша аудару операторы",
            ),
            (
                "mto_office",
                "Money transfer office in person (e.g. Western Union)",
                "В офисе оператора переводов (например, Western Union)",
                "Аударым операторының кеңсесінде (мысалы, Western Union)",
            ),
            ("app", "Online banking", "Онлайн-банкинг", "Онлайн-банкинг"),
            (
                "mto_online",
                "Money transfer operator online",
                "Оператор переводов онлайн",
                "Аударым операторы арқылы онлайн",
            ),
            (
                "cash",
                "Cash carried home",
                "Наличными, везу сам(а) или передаю",
                "Қолма-қол ақшамен, өзім апарамын немесе беріп жіберемін",
            ),
            ("middleman", "A middleman", "Через посредника", "Делдал арқылы"),
        ],
    )
    + _choices(
        "purpose",
        [
            (
                "living",
                "Family living expenses",
                "Расходы семьи на жизнь",
                "Отбасының тұрмыстық шығындары",
            ),
            ("saving", "Saving", "Сбережения", "Жинақ"),
            ("business", "Business", "Бизнес", "Бизнес"),
            ("property", "Buying property", "Покупка имущества", "Мүлік сатып алу"),
            ("debt", "Paying debts", "Погашение долгов", "Қарызды өтеу"),
            ("education", "Education", "Образование", "Білім"),
            ("health", "Health", "Здоровье", "Денсаулық"),
            _OTHER,
        ],
    )
    + _choices(
        "housing",
        [
            ("permanent", "Permanent housing", "Постоянное жилье", "Тұрақты баспана"),
            ("temporary", "Temporary housing", "Временное жилье", "Уақытша баспана"),
            ("own", "Own home", "Собственное жилье", "Меншікті баспана"),
            ("homeless", "Homeless", "Без жилья", "Баспанасыз"),
        ],
    )
    + _choices(
        "lives_with",
        [
            ("friends", "Friends or co-workers", "Друзья или коллеги", "Достар немесе әріптестер"),
            ("family", "Family", "Семья", "Отбасы"),
            ("relatives", "Relatives", "Родственники", "Туыстар"),
            ("alone", "Alone", "Один/одна", "Жалғыз"),
        ],
    )
    + _choices(
        "housing_barrier",
        [
            ("rent", "High rent", "Высокая арендная плата", "Жалдау ақысының қымбаттығы"),
            (
                "income",
                "Low or unsteady income",
                "Низкий или нестабильный доход",
                "Табыстың төмендігі немесе тұрақсыздығы",
            ),
            (
                "administration",
                "Administrative procedures",
                "Административные процедуры",
                "Әкімшілік рәсімдер",
            ),
            (
                "documents",
                "No residence documents",
                "Нет документов на проживание",
                "Тұруға құжат жоқ",
            ),
            ("discrimination", "Discrimination", "Дискриминация", "Кемсітушілік"),
            ("none", "No difficulties", "Трудностей нет", "Қиындық жоқ"),
        ],
    )
    + _choices(
        "satisfaction",
        [
            ("very_satisfied", "Very satisfied", "Очень доволен(на)", "Өте ризамын"),
            ("satisfied", "Satisfied", "Доволен(на)", "Ризамын"),
            (
                "neutral",
                "Neither satisfied nor dissatisfied",
                "Ни доволен(на), ни недоволен(на)",
                "Риза да, наразы да емеспін",
            ),
            ("dissatisfied", "Dissatisfied", "Недоволен(на)", "Наразымын"),
            ("very_dissatisfied", "Very dissatisfied", "Очень недоволен(на)", "Өте наразымын"),
        ],
    )
    + _choices(
        "dissatisfaction",
        [
            ("pay", "Income not sufficient", "Недостаточный доход", "Табыс жеткіліксіз"),
            (
                "want_more",
                "I want to earn more",
                "Хочу зарабатывать больше",
                "Көбірек тапқым келеді",
            ),
            ("debt", "Debts", "Долги", "Қарыздар"),
            (
                "skills",
                "No job matching my skills",
                "Нет работы по моей квалификации",
                "Біліктілігіме сай жұмыс жоқ",
            ),
            ("no_job", "Cannot find a job", "Не могу найти работу", "Жұмыс таба алмаймын"),
            ("unemployed", "Unemployed", "Безработица", "Жұмыссыздық"),
            ("housing", "Poor housing", "Плохое жилье", "Баспананың нашарлығы"),
            ("discrimination", "Discrimination", "Дискриминация", "Кемсітушілік"),
            ("documents", "Document problems", "Проблемы с документами", "Құжат мәселелері"),
        ],
    )
    + _choices(
        "health_barrier",
        [
            (
                "no_id",
                "No ID document or IIN",
                "Нет удостоверения или ИИН",
                "Жеке куәлік немесе ЖСН жоқ",
            ),
            ("no_money", "No money", "Нет денег", "Ақша жоқ"),
            (
                "where",
                "Do not know where to go",
                "Не знаю, куда обратиться",
                "Қайда бару керегін білмеймін",
            ),
            (
                "administration",
                "Administrative procedures",
                "Административные процедуры",
                "Әкімшілік рәсімдер",
            ),
            ("language", "Language", "Язык", "Тіл"),
        ],
    )
    + _choices(
        "afford",
        [
            ("phone", "A mobile phone", "Мобильный телефон", "Ұялы телефон"),
            (
                "warm_home",
                "Keeping the home adequately warm",
                "Поддерживать в жилье тепло",
                "Баспананы жеткілікті жылы ұстау",
            ),
            (
                "arrears",
                "Paying rent and bills without arrears",
                "Платить за жилье и счета без задолженности",
                "Жалдау ақысы мен шоттарды берешексіз төлеу",
            ),
            (
                "meat",
                "Meat, chicken or fish every second day",
                "Мясо, курица или рыба через день",
                "Күн ара ет, тауық немесе балық",
            ),
            ("washing_machine", "A washing machine", "Стиральная машина", "Кір жуғыш машина"),
            ("tv", "A colour TV", "Цветной телевизор", "Түрлі түсті теледидар"),
            (
                "unexpected",
                "Facing unexpected expenses",
                "Непредвиденные расходы",
                "Күтпеген шығындарды көтеру",
            ),
            (
                "holiday",
                "A week's annual holiday away from home",
                "Ежегодный недельный отпуск вне дома",
                "Жылына бір апта үйден тыс демалыс",
            ),
            ("car", "A car", "Автомобиль", "Автокөлік"),
            ("none", "None of these", "Ничего из этого", "Бұлардың ешқайсысы"),
        ],
    )
    + _choices(
        "informed",
        [
            ("well", "Well informed", "Хорошо информирован(а)", "Жақсы хабардармын"),
            ("partly", "Partly informed", "Частично информирован(а)", "Ішінара хабардармын"),
            ("not_well", "Not well informed", "Плохо информирован(а)", "Нашар хабардармын"),
            (
                "not_at_all",
                "Not informed at all",
                "Совсем не информирован(а)",
                "Мүлдем хабарсызбын",
            ),
        ],
    )
    + _choices(
        "info_channel",
        [
            ("telegram", "Telegram", "Telegram", "Telegram"),
            ("whatsapp", "WhatsApp", "WhatsApp", "WhatsApp"),
            ("friends", "Friends", "Друзья", "Достар"),
            ("tv", "TV", "ТВ", "Теледидар"),
            (
                "brochures",
                "Brochures and leaflets",
                "Брошюры и листовки",
                "Брошюралар мен парақшалар",
            ),
            ("websites", "Official websites", "Официальные сайты", "Ресми сайттар"),
        ],
    )
    + _choices(
        "info_language",
        [
            ("native", "My native language", "Родной язык", "Ана тілім"),
            ("russian", "Russian", "Русский", "Орыс тілі"),
            ("kazakh", "Kazakh", "Казахский", "Қазақ тілі"),
            ("english", "English", "Английский", "Ағылшын тілі"),
        ],
    )
    + _choices(
        "relations",
        [
            ("good", "Good interaction", "Хорошее взаимодействие", "Жақсы қарым-қатынас"),
            (
                "none",
                "No interaction at all",
                "Никакого взаимодействия",
                "Мүлдем қарым-қатынас жоқ",
            ),
            ("bad", "Negative interaction", "Негативное взаимодействие", "Жағымсыз қарым-қатынас"),
        ],
    )
    + _choices(
        "agree",
        [
            ("1", "Strongly disagree", "Совсем не согласен", "Мүлдем келіспеймін"),
            ("2", "Disagree", "Не согласен", "Келіспеймін"),
            ("3", "Neutral", "Нейтрально", "Бейтараппын"),
            ("4", "Agree", "Согласен", "Келісемін"),
            ("5", "Strongly agree", "Полностью согласен", "Толығымен келісемін"),
        ],
    )
)
