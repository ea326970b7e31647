/** Ana in Lisbon told about family (priority 1, in January), in Porto about work (priority 5, in March): two topics a filter tells apart. */
export const topicTurns = [
  {
    topic: "family",
    priority: 1,
    at: "2026-01-10T09:00:00Z",
    userMessage: "My sister Ana lives in Lisbon.",
    botResponse: "Lisbon!",
  },
  {
    topic: "family",
    priority: 1,
    at: "2026-01-11T09:00:00Z",
    userMessage: "Ana loves Lisbon trams.",
    botResponse: "Nice.",
  },
  {
    topic: "work",
    priority: 5,
    at: "2026-03-10T09:00:00Z",
    userMessage: "My colleague Ana works in Porto.",
    botResponse: "Porto!",
  },
  {
    topic: "work",
    priority: 5,
    at: "2026-03-11T09:00:00Z",
    userMessage: "Ana took the Porto train.",
    botResponse: "Good.",
  },
] as const;
