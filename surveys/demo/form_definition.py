"""The demo MTM survey (Kazakhstan R3): modules A–E as XLSForm rows, labels in en and ru."""

from typing import Any

FORM_ID = "mtm_kz_r3"
FORM_TITLE = "MTM Kazakhstan R3 – International Migrant Worker Survey"
DK, REFUSE = "dk", "refuse"
YN = "yesno_dk"

# (type, name, English label, Russian label, extra columns)
Row = tuple[str, str, str, str, dict[str, Any]]


def q(kind: str, name: str, en: str, ru: str, **extra: Any) -> Row:
    return (kind, name, en, ru, extra)


_WORKING = "${employment_status} = 'working'"
SURVEY: list[Row] = [
    q("start", "start", "", ""),
    q("end", "end", "", ""),
    q("today", "today", "", ""),
    q("deviceid", "deviceid", "", ""),
    q(
        "select_one yesno",
        "consent",
        "Do you agree to take part in this interview?",
        "Вы согласны принять участие в интервью?",
        required="yes",
    ),
    q(
        "note",
        "no_consent_note",
        "Thank the respondent and end the interview.",
        "Поблагодарите респондента и завершите интервью.",
        relevant="${consent} = 'no'",
    ),
    q(
        "begin_group",
        "screening",
        "A. Coding and screening",
        "A. Кодирование и отбор",
        relevant="${consent} = 'yes'",
    ),
    q("text", "enumerator", "Enumerator code", "Код интервьюера", required="yes"),
    q("select_one region", "region", "Region or city", "Область или город", required="yes"),
    q(
        "select_one district",
        "district",
        "District",
        "Район",
        required="yes",
        choice_filter="region = ${region}",
    ),
    q(
        "integer",
        "age",
        "How old are you?",
        "Сколько вам лет?",
        required="yes",
        constraint=". >= 14 and . <= 90",
        constraint_message=("Age must be between 14 and 90", "Возраст от 14 до 90"),
    ),
    q(
        "select_one country",
        "citizenship",
        "What is your citizenship?",
        "Ваше гражданство?",
        required="yes",
    ),
    q(
        "select_one yesno",
        "dual_citizenship",
        "Do you have a second citizenship?",
        "Есть ли у вас второе гражданство?",
        required="yes",
    ),
    q(
        "select_one employment",
        "employment_status",
        "Have you worked, are you working or looking for work in Kazakhstan?",
        "Работали ли вы, работаете или ищете работу в Казахстане?",
        required="yes",
    ),
    q(
        "select_one yesno",
        "interviewed_before",
        "Were you already interviewed by IOM in this round?",
        "Вас уже опрашивали сотрудники МОМ в этом раунде?",
        required="yes",
    ),
    q(
        "date",
        "arrival_date",
        "When did you arrive in Kazakhstan (this time)?",
        "Когда вы приехали в Казахстан (в этот раз)?",
        required="yes",
        constraint=". <= today()",
        constraint_message=("Cannot be in the future", "Не может быть в будущем"),
    ),
    q(
        "select_one status",
        "legal_status",
        "Are you a student, refugee or stateless person?",
        "Вы студент, беженец или лицо без гражданства?",
        required="yes",
    ),
    q("calculate", "days_in_kz", "", "", calculation="int(today() - date(${arrival_date}))"),
    q(
        "calculate",
        "eligible",
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
        relevant="${eligible} = 'no'",
    ),
    q("end_group", "", "", ""),
]
_ELIG = "${eligible} = 'yes'"
SURVEY += [
    q(
        "begin_group",
        "profile",
        "B. Sociodemographic profile",
        "B. Социально-демографический профиль",
        relevant=_ELIG,
    ),
    q("select_one sex", "sex", "Sex of the respondent", "Пол респондента", required="yes"),
    q(
        "select_one marital",
        "marital_status",
        "Marital status",
        "Семейное положение",
        required="yes",
    ),
    q(
        "select_one education",
        "education",
        "Highest level of education completed",
        "Наивысший уровень образования",
        required="yes",
    ),
    q(
        "select_one field",
        "education_field",
        "Field of education",
        "Область образования",
        relevant="${education} != 'none' and ${education} != 'primary'",
    ),
    q(
        "select_one yesno",
        "household_provider",
        "Are you the main provider of your household?",
        "Вы основной кормилец семьи?",
        required="yes",
    ),
    q(
        "integer",
        "dependants",
        "How many people depend on your income?",
        "Сколько человек зависит от вашего дохода?",
        required="yes",
        constraint=". >= 0 and . <= 20",
    ),
    q(
        "integer",
        "children_count",
        "How many children under 18 do you have?",
        "Сколько у вас детей до 18 лет?",
        required="yes",
        constraint=". >= 0 and . <= 15",
    ),
    q(
        "begin_repeat",
        "children",
        "Children",
        "Дети",
        repeat_count="${children_count}",
        relevant="${children_count} > 0",
    ),
    q(
        "integer",
        "child_age",
        "Age of the child",
        "Возраст ребенка",
        required="yes",
        constraint=". >= 0 and . < 18",
    ),
    q("select_one sex", "child_sex", "Sex of the child", "Пол ребенка", required="yes"),
    q(
        "select_one child_location",
        "child_location",
        "Where does the child live?",
        "Где живет ребенок?",
        required="yes",
    ),
    q(
        "select_one yesno",
        "child_school",
        "Does the child attend school?",
        "Ходит ли ребенок в школу?",
        relevant="${child_age} >= 7",
    ),
    q("end_repeat", "", "", ""),
    q(
        "select_one yesno",
        "family_in_kz",
        "Do family members live with you in Kazakhstan?",
        "Живут ли с вами члены семьи в Казахстане?",
        required="yes",
    ),
    q("end_group", "", "", ""),
    q(
        "begin_group",
        "migration",
        "C. Migration experience and intentions",
        "C. Миграционный опыт и намерения",
        relevant=_ELIG,
    ),
    q(
        "select_one country",
        "origin_country",
        "Country of origin",
        "Страна происхождения",
        required="yes",
    ),
    q(
        "date",
        "left_origin_date",
        "When did you first leave your country?",
        "Когда вы впервые уехали из своей страны?",
        required="yes",
        constraint=". <= ${arrival_date}",
    ),
    q(
        "integer",
        "first_arrival_year",
        "In which year did you first come to Kazakhstan?",
        "В каком году вы впервые приехали в Казахстан?",
        required="yes",
        constraint=". >= 1991 and . <= 2024",
    ),
    q(
        "select_multiple reasons",
        "migration_reasons",
        "Why did you leave your country?",
        "Почему вы уехали из своей страны?",
        required="yes",
    ),
    q(
        "text",
        "migration_reasons_other",
        "Other reason",
        "Другая причина",
        relevant="selected(${migration_reasons}, 'other')",
        required="yes",
    ),
    q(
        "select_multiple why_kz",
        "why_kazakhstan",
        "Why did you choose Kazakhstan?",
        "Почему вы выбрали Казахстан?",
        required="yes",
    ),
    q(
        "select_one stay",
        "expected_stay",
        "How long do you plan to stay in Kazakhstan?",
        "Как долго вы планируете оставаться в Казахстане?",
        required="yes",
    ),
    q(
        "select_one yesno",
        "lived_in_russia",
        "Did you live in Russia before coming here?",
        "Жили ли вы в России до приезда сюда?",
        required="yes",
    ),
    q(
        "select_one yesno_dk",
        "return_to_russia",
        "Do you plan to go back to Russia?",
        "Планируете ли вы вернуться в Россию?",
        relevant="${lived_in_russia} = 'yes'",
        required="yes",
    ),
    q(
        "select_one intention",
        "intention_12m",
        "What do you intend to do in the next 12 months?",
        "Что вы планируете делать в ближайшие 12 месяцев?",
        required="yes",
    ),
    q(
        "select_one yesno",
        "registered",
        "Are you registered at your place of stay?",
        "Зарегистрированы ли вы по месту пребывания?",
        required="yes",
    ),
    q(
        "select_one permit",
        "work_permit",
        "What document allows you to work here?",
        "Какой документ дает вам право работать здесь?",
        required="yes",
    ),
    q("end_group", "", "", ""),
]
SURVEY += [
    q(
        "begin_group",
        "employment",
        "D. Employment and remittances",
        "D. Занятость и переводы",
        relevant=_ELIG,
    ),
    q(
        "select_one yesno",
        "worked_before",
        "Did you work before coming to Kazakhstan?",
        "Работали ли вы до приезда в Казахстан?",
        required="yes",
    ),
    q(
        "select_one sector",
        "sector_before",
        "In which sector did you work before?",
        "В какой сфере вы работали раньше?",
        relevant="${worked_before} = 'yes'",
        required="yes",
    ),
    q(
        "select_one sector",
        "sector",
        "Sector of employment",
        "Сфера занятости",
        relevant=_WORKING,
        required="yes",
    ),
    q(
        "select_one contract",
        "contract",
        "What kind of contract do you have?",
        "Какой у вас договор?",
        relevant=_WORKING,
        required="yes",
    ),
    q(
        "select_one yesno_dk",
        "pension",
        "Does your employer pay pension contributions?",
        "Платит ли работодатель пенсионные взносы?",
        relevant=_WORKING,
        required="yes",
    ),
    q(
        "select_one yesno_dk",
        "paid_leave",
        "Do you have paid leave?",
        "Есть ли у вас оплачиваемый отпуск?",
        relevant=_WORKING,
        required="yes",
    ),
    q(
        "select_one job_found",
        "job_found",
        "How did you find this job?",
        "Как вы нашли эту работу?",
        relevant=_WORKING,
        required="yes",
    ),
    q(
        "select_one yesno",
        "agency",
        "Did you use a recruitment agency?",
        "Пользовались ли вы услугами кадрового агентства?",
        relevant=_WORKING,
        required="yes",
    ),
    q(
        "integer",
        "hours_week",
        "How many hours do you work per week?",
        "Сколько часов в неделю вы работаете?",
        relevant=_WORKING,
        required="yes",
        constraint=". >= 1 and . <= 100",
    ),
    q(
        "select_multiple challenges",
        "work_challenges",
        "What challenges do you face at work?",
        "С какими трудностями вы сталкиваетесь на работе?",
        relevant=_WORKING,
        required="yes",
    ),
    q(
        "select_one income",
        "income_band",
        "Monthly income (KZT)",
        "Ежемесячный доход (тенге)",
        relevant=_WORKING,
        required="yes",
    ),
    q(
        "select_one sufficiency",
        "income_sufficiency",
        "Is your income enough for your needs?",
        "Хватает ли вам дохода на нужды?",
        required="yes",
    ),
    q(
        "select_one yesno",
        "sends_money",
        "Do you send money home?",
        "Отправляете ли вы деньги домой?",
        required="yes",
    ),
    q(
        "decimal",
        "remit_share",
        "What share of your income do you send home (%)?",
        "Какую долю дохода вы отправляете домой (%)?",
        relevant="${sends_money} = 'yes'",
        required="yes",
        constraint=". >= 0 and . <= 100",
        constraint_message=("Between 0 and 100", "От 0 до 100"),
    ),
    q(
        "select_one frequency",
        "remit_frequency",
        "How often do you send money?",
        "Как часто вы отправляете деньги?",
        relevant="${sends_money} = 'yes'",
        required="yes",
    ),
    q(
        "select_one channel",
        "remit_channel",
        "How do you send money?",
        "Каким способом вы отправляете деньги?",
        relevant="${sends_money} = 'yes'",
        required="yes",
    ),
    q(
        "select_multiple purpose",
        "remit_purpose",
        "What is the money used for?",
        "На что тратятся деньги?",
        relevant="${sends_money} = 'yes'",
        required="yes",
    ),
    q("end_group", "", "", ""),
    q(
        "begin_group",
        "wellbeing",
        "E. General well-being in Kazakhstan",
        "E. Общее благополучие в Казахстане",
        relevant=_ELIG,
    ),
    q("select_one housing", "housing", "Where do you live?", "Где вы живете?", required="yes"),
    q(
        "integer",
        "people_in_dwelling",
        "How many people live in your dwelling?",
        "Сколько человек живет в вашем жилье?",
        required="yes",
        constraint=". >= 1 and . <= 50",
    ),
    q(
        "select_one satisfaction",
        "satisfaction",
        "How satisfied are you with life here?",
        "Насколько вы довольны жизнью здесь?",
        required="yes",
    ),
    q(
        "select_multiple dissatisfaction",
        "dissatisfaction_reasons",
        "Why are you not satisfied?",
        "Почему вы недовольны?",
        relevant="${satisfaction} = 'dissatisfied' or ${satisfaction} = 'very_dissatisfied'",
        required="yes",
    ),
]
_ACCESS = [
    ("health", "health care", "медицинской помощи"),
    ("education", "education for children", "образованию для детей"),
    ("bank", "a bank account", "банковскому счету"),
    ("legal", "legal advice", "юридической помощи"),
    ("housing_aid", "housing support", "жилищной помощи"),
]
for key, en, ru in _ACCESS:
    SURVEY.append(
        q(
            "select_one yesno_dk",
            f"access_{key}",
            f"Do you have access to {en}?",
            f"Есть ли у вас доступ к {ru}?",
            required="yes",
        )
    )
SURVEY += [
    q(
        "select_multiple afford",
        "cannot_afford",
        "Which of these can you not afford?",
        "Что из этого вы не можете себе позволить?",
        required="yes",
    ),
    q(
        "select_one yesno_dk",
        "informed_rights",
        "Do you know your rights as a migrant worker?",
        "Знаете ли вы свои права как трудящийся мигрант?",
        required="yes",
    ),
    q(
        "select_multiple info_channel",
        "info_channels",
        "Where do you get information?",
        "Откуда вы получаете информацию?",
        required="yes",
    ),
    q(
        "select_one relations",
        "relations_locals",
        "How are your relations with local people?",
        "Каковы ваши отношения с местными жителями?",
        required="yes",
    ),
    q(
        "select_one yesno_dk",
        "sanctions_impact",
        "Have sanctions on Russia affected you?",
        "Повлияли ли на вас санкции против России?",
        required="yes",
    ),
]
_AGREE = [
    ("safe", "I feel safe here", "Я чувствую себя здесь в безопасности"),
    ("welcome", "I feel welcome here", "Меня здесь хорошо принимают"),
    ("fair_pay", "I am paid fairly", "Мне платят справедливо"),
    ("treated_equal", "I am treated like local workers", "Ко мне относятся как к местным"),
    (
        "recommend",
        "I would recommend Kazakhstan to friends",
        "Я бы порекомендовал Казахстан друзьям",
    ),
]
for key, en, ru in _AGREE:
    SURVEY.append(q("select_one agree", f"agree_{key}", en, ru, required="yes"))
# Hardships since arrival: a block of similar yes/no questions (straight-lining checks read it).
HARDSHIPS = [
    ("documents", "problems with documents or registration", "проблемы с документами"),
    ("language", "language barriers", "языковой барьер"),
    ("discrimination", "discrimination", "дискриминация"),
    ("police", "frequent police checks", "частые проверки полиции"),
    ("unpaid_wages", "unpaid or delayed wages", "невыплата или задержка зарплаты"),
    ("eviction", "losing your housing", "потеря жилья"),
    ("medical", "a medical emergency", "неотложная медицинская помощь"),
    ("debt", "debts you cannot repay", "долги, которые вы не можете вернуть"),
    ("fraud", "fraud by an employer or agent", "обман работодателем или посредником"),
    ("loneliness", "loneliness or stress", "одиночество или стресс"),
]
for key, en, ru in HARDSHIPS:
    SURVEY.append(
        q(
            "select_one yesno_dk",
            f"hardship_{key}",
            f"Since you arrived, have you faced {en}?",
            f"С момента приезда вы сталкивались с: {ru}?",
            required="yes",
        )
    )
SURVEY += [
    q(
        "integer",
        "hardships_count",
        "How many of these problems did you face in the last month?",
        "Со сколькими из этих проблем вы столкнулись за последний месяц?",
        relevant=" or ".join(f"${{hardship_{key}}} = 'yes'" for key, _, _ in HARDSHIPS),
        constraint=". >= 0 and . <= " + str(len(HARDSHIPS)),
        constraint_message=(f"From 0 to {len(HARDSHIPS)}", f"От 0 до {len(HARDSHIPS)}"),
        required="yes",
    ),
    q(
        "select_multiple help_source",
        "help_sources",
        "Whom did you ask for help?",
        "К кому вы обращались за помощью?",
        relevant="${hardships_count} > 0",
        required="yes",
    ),
]
# Services used in the last 6 months.
SERVICES = [
    ("clinic", "a public clinic", "государственная поликлиника"),
    ("consulate", "your country's consulate", "консульство вашей страны"),
    ("ngo", "a non-governmental organisation", "неправительственная организация"),
    ("migration_centre", "a migrant service centre", "центр обслуживания мигрантов"),
    ("money_transfer", "a money transfer office", "пункт денежных переводов"),
    ("language_course", "a language course", "языковые курсы"),
]
for key, en, ru in SERVICES:
    SURVEY.append(
        q(
            "select_one yesno_dk",
            f"used_{key}",
            f"In the last six months, did you use {en}?",
            f"За последние шесть месяцев вы пользовались услугой: {ru}?",
            required="yes",
        )
    )
SURVEY += [
    q(
        "geopoint",
        "gps",
        "Record the location of the interview",
        "Запишите место интервью",
        required="yes",
    ),
    q(
        "select_one yesno",
        "followup_consent",
        "May IOM contact you again?",
        "Может ли МОМ связаться с вами снова?",
        required="yes",
    ),
    q(
        "text",
        "phone",
        "Phone number",
        "Номер телефона",
        relevant="${followup_consent} = 'yes'",
        constraint="regex(., '^\\+?[0-9]{10,13}$')",
        constraint_message=("10 to 13 digits", "От 10 до 13 цифр"),
    ),
    q("text", "comments", "Enumerator comments", "Комментарии интервьюера"),
    q("end_group", "", "", ""),
]


def _choices(name: str, items: list[tuple[str, str, str]], *, dk: bool = True) -> list[tuple]:
    extra = [(DK, "Don't know", "Не знаю"), (REFUSE, "Refuse to answer", "Отказ от ответа")]
    return [(name, *item) for item in items + (extra if dk else [])]


_YES_NO = [("yes", "Yes", "Да"), ("no", "No", "Нет")]
CHOICES: list[tuple] = (
    _choices("yesno", _YES_NO, dk=False)
    + _choices(YN, _YES_NO)
    + _choices(
        "help_source",
        [
            ("family", "Family or friends", "Семья или друзья"),
            ("employer", "Employer", "Работодатель"),
            ("diaspora", "Diaspora organisation", "Диаспора"),
            ("consulate", "Consulate", "Консульство"),
            ("ngo", "NGO or IOM", "НПО или МОМ"),
            ("none", "Nobody", "Ни к кому"),
        ],
    )
    + _choices("sex", [("male", "Male", "Мужской"), ("female", "Female", "Женский")], dk=False)
    + _choices(
        "country",
        [
            ("uz", "Uzbekistan", "Узбекистан"),
            ("tj", "Tajikistan", "Таджикистан"),
            ("kg", "Kyrgyzstan", "Кыргызстан"),
            ("ru", "Russia", "Россия"),
            ("cn", "China", "Китай"),
            ("tm", "Turkmenistan", "Туркменистан"),
            ("az", "Azerbaijan", "Азербайджан"),
            ("kz", "Kazakhstan", "Казахстан"),
            ("other", "Other", "Другое"),
        ],
        dk=False,
    )
    + _choices(
        "employment",
        [
            ("worked", "Has worked", "Работал(а)"),
            ("working", "Is working", "Работает"),
            ("looking", "Is looking for work", "Ищет работу"),
            ("none", "None of these", "Ничего из этого"),
        ],
        dk=False,
    )
    + _choices(
        "status",
        [
            ("no", "None of these", "Нет"),
            ("student", "Student", "Студент"),
            ("refugee", "Refugee", "Беженец"),
            ("stateless", "Stateless", "Лицо без гражданства"),
        ],
        dk=False,
    )
    + _choices(
        "marital",
        [
            ("single", "Single", "Холост/не замужем"),
            ("married", "Married", "Женат/замужем"),
            ("divorced", "Divorced", "Разведен(а)"),
            ("widowed", "Widowed", "Вдовец/вдова"),
        ],
    )
    + _choices(
        "education",
        [
            ("none", "No education", "Нет образования"),
            ("primary", "Primary", "Начальное"),
            ("secondary", "Secondary", "Среднее"),
            ("vocational", "Vocational", "Профессиональное"),
            ("higher", "Higher", "Высшее"),
        ],
    )
    + _choices(
        "field",
        [
            ("engineering", "Engineering", "Инженерия"),
            ("health", "Health", "Здравоохранение"),
            ("trade", "Trade and services", "Торговля и услуги"),
            ("agriculture", "Agriculture", "Сельское хозяйство"),
            ("other", "Other", "Другое"),
        ],
    )
    + _choices(
        "child_location",
        [
            ("kz", "With me in Kazakhstan", "Со мной в Казахстане"),
            ("origin", "In the country of origin", "В стране происхождения"),
            ("elsewhere", "Elsewhere", "В другом месте"),
        ],
    )
    + _choices(
        "reasons",
        [
            ("work", "To find work", "Найти работу"),
            ("income", "Better income", "Лучший доход"),
            ("family", "Family reasons", "Семейные причины"),
            ("conflict", "Conflict or insecurity", "Конфликт"),
            ("other", "Other", "Другое"),
        ],
    )
    + _choices(
        "why_kz",
        [
            ("jobs", "Jobs available", "Есть работа"),
            ("language", "Language", "Язык"),
            ("close", "Close to home", "Близко"),
            ("network", "Friends or family here", "Друзья или семья"),
            ("easy_entry", "Easy entry", "Легкий въезд"),
        ],
    )
    + _choices(
        "stay",
        [
            ("lt6m", "Less than 6 months", "Менее 6 месяцев"),
            ("6to12m", "6–12 months", "6–12 месяцев"),
            ("gt1y", "More than a year", "Более года"),
            ("permanent", "Permanently", "Навсегда"),
        ],
    )
    + _choices(
        "intention",
        [
            ("stay", "Stay here", "Остаться"),
            ("return", "Return home", "Вернуться домой"),
            ("move_on", "Move to another country", "Переехать в другую страну"),
        ],
    )
    + _choices(
        "permit",
        [
            ("patent", "Patent", "Патент"),
            ("permit", "Work permit", "Разрешение на работу"),
            ("eaeu", "EAEU citizen, none needed", "Гражданин ЕАЭС"),
            ("none", "No document", "Нет документа"),
        ],
    )
    + _choices(
        "sector",
        [
            ("construction", "Construction", "Строительство"),
            ("trade", "Trade", "Торговля"),
            ("services", "Services", "Услуги"),
            ("agriculture", "Agriculture", "Сельское хозяйство"),
            ("industry", "Industry", "Промышленность"),
            ("domestic", "Domestic work", "Домашний труд"),
        ],
    )
    + _choices(
        "contract",
        [
            ("written", "Written contract", "Письменный договор"),
            ("verbal", "Verbal agreement", "Устная договоренность"),
            ("none", "No contract", "Без договора"),
        ],
    )
    + _choices(
        "job_found",
        [
            ("friends", "Friends or relatives", "Друзья или родственники"),
            ("agency", "Agency", "Агентство"),
            ("online", "Online", "Интернет"),
            ("employer", "Employer came to me", "Работодатель сам нашел"),
        ],
    )
    + _choices(
        "challenges",
        [
            ("late_pay", "Late payment", "Задержка оплаты"),
            ("long_hours", "Long hours", "Долгие часы"),
            ("unsafe", "Unsafe conditions", "Опасные условия"),
            ("none", "None", "Нет"),
        ],
    )
    + _choices(
        "income",
        [
            ("lt100k", "Under 100,000", "До 100 000"),
            ("100_200k", "100,000–200,000", "100 000–200 000"),
            ("200_300k", "200,000–300,000", "200 000–300 000"),
            ("gt300k", "Over 300,000", "Более 300 000"),
        ],
    )
    + _choices(
        "sufficiency",
        [
            ("enough", "Enough", "Достаточно"),
            ("barely", "Barely", "Едва хватает"),
            ("not_enough", "Not enough", "Недостаточно"),
        ],
    )
    + _choices(
        "frequency",
        [
            ("monthly", "Monthly", "Ежемесячно"),
            ("quarterly", "Every few months", "Раз в несколько месяцев"),
            ("rarely", "Rarely", "Редко"),
        ],
    )
    + _choices(
        "channel",
        [
            ("bank", "Bank transfer", "Банковский перевод"),
            ("app", "Mobile app", "Мобильное приложение"),
            ("cash", "Cash through people", "Наличными через людей"),
        ],
    )
    + _choices(
        "purpose",
        [
            ("food", "Food", "Еда"),
            ("housing", "Housing", "Жилье"),
            ("education", "Education", "Образование"),
            ("health", "Health", "Здоровье"),
            ("debt", "Debts", "Долги"),
        ],
    )
    + _choices(
        "housing",
        [
            ("rented", "Rented flat", "Съемная квартира"),
            ("employer", "Provided by employer", "От работодателя"),
            ("dormitory", "Dormitory", "Общежитие"),
            ("worksite", "At the work site", "На рабочем месте"),
        ],
    )
    + _choices(
        "satisfaction",
        [
            ("very_satisfied", "Very satisfied", "Очень доволен"),
            ("satisfied", "Satisfied", "Доволен"),
            ("dissatisfied", "Dissatisfied", "Недоволен"),
            ("very_dissatisfied", "Very dissatisfied", "Очень недоволен"),
        ],
    )
    + _choices(
        "dissatisfaction",
        [
            ("pay", "Low pay", "Низкая оплата"),
            ("housing", "Poor housing", "Плохое жилье"),
            ("discrimination", "Discrimination", "Дискриминация"),
            ("documents", "Document problems", "Проблемы с документами"),
        ],
    )
    + _choices(
        "afford",
        [
            ("food", "Enough food", "Достаточно еды"),
            ("rent", "Rent", "Аренда"),
            ("medicine", "Medicine", "Лекарства"),
            ("nothing", "I can afford all of these", "Могу позволить все"),
        ],
    )
    + _choices(
        "info_channel",
        [
            ("telegram", "Telegram", "Telegram"),
            ("whatsapp", "WhatsApp", "WhatsApp"),
            ("friends", "Friends", "Друзья"),
            ("tv", "TV", "ТВ"),
        ],
    )
    + _choices(
        "relations",
        [
            ("good", "Good", "Хорошие"),
            ("neutral", "Neutral", "Нейтральные"),
            ("bad", "Bad", "Плохие"),
        ],
    )
    + _choices(
        "agree",
        [
            ("1", "Strongly disagree", "Совсем не согласен"),
            ("2", "Disagree", "Не согласен"),
            ("3", "Neutral", "Нейтрально"),
            ("4", "Agree", "Согласен"),
            ("5", "Strongly agree", "Полностью согласен"),
        ],
    )
)
