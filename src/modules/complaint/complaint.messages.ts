import { dateFormat } from "../../common/clock";

/** What the system itself writes on a complaint's public timeline, in the complaint's language. */
export type Language = "KK" | "RU" | "EN";

const dateIn = (at: Date, language: Language) =>
  dateFormat({ KK: "kk-KZ", RU: "ru-RU", EN: "en-GB" }[language], {
    timeZone: "Asia/Almaty",
    year: "numeric",
    month: "long",
    day: "numeric",
  }).format(at);

/** Ends a sentence once: a Russian date already ends in "г.". */
const sentence = (text: string) => (text.endsWith(".") ? text : `${text}.`);

export const publicMessages = {
  registered: (language: Language, trackingNumber: string, dueAt: Date) =>
    ({
      KK: `Сіздің шағымыңыз ${trackingNumber} нөмірімен тіркелді. Жауап ${dateIn(dueAt, "KK")} дейін беріледі.`,
      RU: sentence(
        `Ваша жалоба зарегистрирована под номером ${trackingNumber}. Ответ будет дан до ${dateIn(dueAt, "RU")}`,
      ),
      EN: `Your complaint has been registered as ${trackingNumber}. You will receive a response by ${dateIn(dueAt, "EN")}.`,
    })[language],
  extended: (language: Language, until: Date) =>
    ({
      KK: `Тексеру мерзімі ${dateIn(until, "KK")} дейін ұзартылды.`,
      RU: sentence(`Срок рассмотрения продлён до ${dateIn(until, "RU")}`),
      EN: `The time for handling your complaint has been extended to ${dateIn(until, "EN")}.`,
    })[language],
  closed: (language: Language) =>
    ({
      KK: "Шағымыңызды қарау аяқталды.",
      RU: "Рассмотрение вашей жалобы завершено.",
      EN: "The handling of your complaint is complete.",
    })[language],
  reopened: (language: Language) =>
    ({
      KK: "Шағымыңыз қайта қаралуға жіберілді.",
      RU: "Ваша жалоба возвращена на повторное рассмотрение.",
      EN: "Your complaint has been reopened for further investigation.",
    })[language],
};
