/** Names, places and texts the seed draws from. */
export const MALE_FIRST = [
  "Nurlan",
  "Dauren",
  "Yerlan",
  "Arman",
  "Timur",
  "Askar",
  "Bauyrzhan",
  "Marat",
  "Daniyar",
  "Yerzhan",
  "Azamat",
  "Serik",
  "Kairat",
  "Aidos",
  "Ruslan",
  "Sanzhar",
];
export const FEMALE_FIRST = [
  "Aigerim",
  "Aliya",
  "Madina",
  "Dana",
  "Saule",
  "Gulnara",
  "Zhanna",
  "Aizhan",
  "Dinara",
  "Assel",
];
/** Male forms; the female form adds "a" (Bekov, Bekova). */
export const SURNAMES = [
  "Bekov",
  "Abenov",
  "Zhaksylykov",
  "Kassymov",
  "Akhmetov",
  "Nurlanov",
  "Omarov",
  "Tulegenov",
  "Sadykov",
  "Ismailov",
  "Mukanov",
  "Iskakov",
  "Serikbayev",
  "Utepov",
  "Zhumabayev",
  "Baimukhanov",
];

export const PLACES = [
  "Abai Ave, near the bus stop",
  "Central market, main entrance",
  "Road police checkpoint on the highway",
  "District police station, reception",
  "Residential block courtyard",
  "Railway station square",
  "Shopping centre car park",
  "Crossroads by the school",
];

const NARRATIVES = {
  RU: [
    "Сотрудник полиции грубо разговаривал со мной и отказался принять заявление.",
    "При остановке автомобиля инспектор потребовал деньги, чтобы не составлять протокол.",
    "Участковый не отреагировал на мои неоднократные обращения о семейном насилии.",
    "Меня задержали без объяснения причин и продержали несколько часов в отделе.",
    "Сотрудник применил силу при задержании моего сына, хотя тот не сопротивлялся.",
  ],
  KK: [
    "Полиция қызметкері менімен дөрекі сөйлесіп, арызымды қабылдаудан бас тартты.",
    "Инспектор хаттама толтырмау үшін ақша талап етті.",
    "Учаскелік инспектор отбасылық зорлық туралы шағымдарыма жауап бермеді.",
    "Мені себебін түсіндірмей ұстап, бөлімде бірнеше сағат ұстады.",
  ],
  EN: [
    "The officer was rude to me and refused to take my statement.",
    "During a traffic stop the inspector asked for money not to write a report.",
    "The officer ignored my repeated reports of online fraud.",
  ],
} as const;

const COMPLAINANT_NAMES = [
  "Aigerim Sadykova",
  "Nurlan Bekov",
  "Dana Omarova",
  "Timur Akhmetov",
  "Saule Iskakova",
  "Yerlan Kassymov",
  "Madina Utepova",
  "Arman Tulegenov",
];
const EMAILS = [
  "a.sadykova@example.kz",
  "nurlan.b@example.kz",
  "dana.o@example.kz",
  "t.akhmetov@example.kz",
  "saule.i@example.kz",
];
const PHONES = ["+77010000001", "+77020000002", "+77050000003", "+77070000004", "+77470000005"];
const FEEDBACK = [
  "Thank you, the matter was handled properly.",
  "Спасибо, жалобу рассмотрели быстро.",
  "Ответ пришёл поздно и ничего не объяснил.",
  "Жауап уақытында келді, рахмет.",
];
const COMMENDATION_NARRATIVES = [
  "The officer helped my elderly mother home when she got lost in the snow.",
  "Сотрудник быстро нашёл мой украденный телефон и вернул его.",
  "Инспектор вежливо и понятно объяснил, что делать после аварии.",
  "Полиция қызметкері жоғалған баламызды екі сағатта тапты.",
  "Officer pulled a driver out of a burning car on the highway.",
];

export const RATIONALES = [
  "Body-camera footage and witness statements support this outcome.",
  "The complainant's account is not supported by the records of the shift.",
  "The officer's own report confirms the conduct complained of.",
  "Decided on the documents; no further evidence could be obtained.",
];

/**
 * The texts the seed writes, plain: it writes them plain inside its own transaction and seals every record
 * under its own data key before committing (src/crypto/reseal.ts), as each value is bound to its row.
 */
export const TEXT_POOLS = {
  narratives: NARRATIVES,
  names: COMPLAINANT_NAMES,
  emails: EMAILS,
  phones: PHONES,
  feedback: FEEDBACK,
  commendations: COMMENDATION_NARRATIVES,
};
export type TextPools = typeof TEXT_POOLS;
