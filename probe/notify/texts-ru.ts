// Russian alert texts: the same keys and placeholders as texts-en.ts.
import type { Catalog } from "./texts-en.js";

export const RU: Catalog = {
  action_alert: "ТРЕВОГА",
  action_repeat: "НАПОМИНАНИЕ №{n}",
  action_recovery: "ВОССТАНОВЛЕНО",

  kind_orch_down: "Оркестратор недоступен",
  kind_proc_blocking: "Тестовый процесс блокирует хост",
  kind_disk_ceiling: "Диск почти заполнен",
  kind_container_down: "Контейнер не запущен",
  kind_container_unhealthy: "Контейнер нездоров",
  kind_dep_down: "Зависимость недоступна",
  kind_source_error: "Сбой источника данных Watchdog",
  kind_delivery_failing: "Оповещения не доставляются",
  kind_metric: "Правило метрик {rule}",

  entity_orch_down: "Компонент: {entity}",
  entity_proc_blocking: "PID: {entity}",
  entity_disk_ceiling: "Путь: {entity}",
  entity_container_down: "Контейнер: {entity}",
  entity_container_unhealthy: "Контейнер: {entity}",
  entity_dep_down: "Зависимость: {entity}",
  entity_source_error: "Источник: {entity}",
  entity_delivery_failing: "Канал: {entity}",
  entity_metric: "Временной ряд: {entity}",

  host: "Хост: {host}",
  since_alert: "С момента: {since}",
  since_repeat: "С момента: {since} (активно уже {duration})",
  since_recovery: "Было активно {duration}: {since} → {until}",
  detail_proc_blocking: "Процесс:",
  detail_other: "Подробности:",
  todo: "Что сделать:",

  todo_orch_down:
    "Проверьте оркестратор на хосте {host}: запущен ли его контейнер ({cmdPs})? Что в его логах ({cmdLogs})? Отвечает ли его адрес /metrics?",
  todo_proc_blocking: "На хосте {host} остановите процесс: {cmdTerm}\nЕсли через минуту он всё ещё жив: {cmdKill}",
  todo_disk_ceiling:
    "Освободите место в {entity} на хосте {host} (старые артефакты сборок, логи, неиспользуемые образы: {cmdPrune}). Проверить: {cmdDf}.",
  todo_container_down:
    "Выясните, почему контейнер {entity} остановился на хосте {host}: {cmdLogs}\nЗатем запустите его снова: {cmdStart} (или через его compose-файл).",
  todo_container_unhealthy:
    "Посмотрите, что сообщает проверка здоровья контейнера {entity} на хосте {host}: {cmdHealth}\nЗатем прочитайте логи: {cmdLogs}",
  todo_dep_down: "Проверьте, что зависимость {entity} запущена и что хост {host} может до неё достучаться по сети.",
  todo_source_error:
    "Watchdog не видит часть хоста {host}: источник {entity} даёт сбой, поэтому оповещения от него могут не прийти. Проверьте логи зонда и настройки этого источника (права, путь к сокету, URL).",
  todo_delivery_failing:
    "Watchdog на {host} не может доставить сообщения через {entity}: Bot API их отклоняет. Проверьте WATCHDOG_TELEGRAM_BOT_TOKEN и WATCHDOG_TELEGRAM_CHAT_ID и что бот может писать в этот чат (разблокируйте его, добавьте снова). До тех пор оповещения ждут в очереди.",
  todo_metric:
    "Метрики оркестратора на хосте {host} подпадают под правило {rule}. Ищите причину в дашборде и логах оркестратора.",

  never_acts: "Watchdog только наблюдает и сообщает; сам он никогда не останавливает процессы.",
  next_reminder: "Следующее напоминание через {duration}, если проблема останется.",
  recovered_proc_blocking: "Процесс завершился или больше не блокирует. Ничего делать не нужно.",
  recovered_other: "Всё вернулось в норму. Ничего делать не нужно.",
  notified: "Отправлено уведомлений, пока проблема была активна: {n}",
  truncated: "… (сообщение обрезано)",

  unit_sep: " ",
  unit_d: "д",
  unit_h: "ч",
  unit_m: "мин",
  unit_s: "с",
};
