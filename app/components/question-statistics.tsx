/** When questions are flagged (services/question-stats.server.ts FLAG_RULES). */
export interface StatsRules {
  minPeople: number;
  easy: number;
  hard: number;
  reversed: number;
  groupShare: number;
}

export type QuestionFlag = "easy" | "hard" | "reversed";

export interface ChoiceStats {
  id: string;
  html: string;
  correct: boolean;
  picked: number;
  /** Of first attempts. */
  share: number;
}

export interface QuestionStats {
  id: string;
  number: number;
  promptHtml: string;
  multiple: boolean;
  /** First attempts (one per person). */
  people: number;
  /** Share right on the first attempt. */
  facility: number | null;
  /** Facility in the top 27% minus facility in the bottom 27% (by first-attempt score). */
  discrimination: number | null;
  choices: ChoiceStats[];
  flags: QuestionFlag[];
}

export interface QuizStats {
  quizId: string;
  passMark: number;
  /** Every attempt on the current questions, retries included. */
  attempts: number;
  people: number;
  passedFirstTime: number;
  questions: QuestionStats[];
}

const percent = (n: number | null) => (n === null ? "—" : `${Math.round(n * 100)}%`);
const signed = (n: number | null) => (n === null ? "—" : `${n > 0 ? "+" : ""}${n.toFixed(2)}`);

const FLAG_TEXT = {
  easy: "Nearly everyone gets it right",
  hard: "Most people get it wrong the first time",
  reversed: "Strong learners get it wrong more often than others",
} as const;

/** Per question: attempts, facility, choices picked, discrimination, and the flags with their rules. */
export function QuestionStatistics({
  quizzes,
  rules,
}: {
  quizzes: QuizStats[];
  rules: StatsRules;
}) {
  return (
    <section aria-labelledby="stats-title" className="question-stats">
      <h2 id="stats-title">Question statistics</h2>
      <div className="panel small">
        <p>
          Counted over each person&apos;s <strong>first attempt</strong> on the current questions
          (versions that ask exactly these questions with these answers), before any feedback.
        </p>
        <ul>
          <li>
            <strong>Facility</strong>: the share who got the question exactly right (every correct
            choice, no wrong one).
          </li>
          <li>
            <strong>Discrimination</strong> (upper–lower {Math.round(rules.groupShare * 100)}%):
            people are ranked by their first-attempt score; facility among the top{" "}
            {Math.round(rules.groupShare * 100)}% minus facility among the bottom{" "}
            {Math.round(rules.groupShare * 100)}% (ties: the earlier attempt ranks higher). From −1
            to +1; above +0.2 the question separates people who learned from those who did not.
          </li>
          <li>
            Flags (only with {rules.minPeople} people or more): facility above {percent(rules.easy)}{" "}
            — “{FLAG_TEXT.easy}”; below {percent(rules.hard)} — “{FLAG_TEXT.hard}”; discrimination
            below {rules.reversed} — “{FLAG_TEXT.reversed}” (check the answer key and the wording).
          </li>
        </ul>
      </div>
      {quizzes.map((quiz, qi) => (
        <div key={quiz.quizId}>
          {quizzes.length > 1 ? <h3>Quiz {qi + 1}</h3> : null}
          <p data-testid="quiz-totals">
            {quiz.attempts.toLocaleString("en")} attempts by {quiz.people.toLocaleString("en")}{" "}
            {quiz.people === 1 ? "person" : "people"}; {quiz.passedFirstTime.toLocaleString("en")}{" "}
            passed at the first attempt (pass mark {percent(quiz.passMark)}).
          </p>
          {quiz.questions.map((q) => (
            <article
              key={q.id}
              className="question-stat"
              aria-labelledby={`stat-${quiz.quizId}-${q.id}`}
            >
              <h4 id={`stat-${quiz.quizId}-${q.id}`}>
                Question {q.number}: <span dangerouslySetInnerHTML={{ __html: q.promptHtml }} />
              </h4>
              <p className="question-stat__figures">
                <span>First attempts: {q.people.toLocaleString("en")}</span>
                <span>Facility: {percent(q.facility)}</span>
                <span>Discrimination: {signed(q.discrimination)}</span>
              </p>
              {q.flags.length > 0 ? (
                <ul className="question-stat__flags">
                  {q.flags.map((flag) => (
                    <li key={flag} className="flag">
                      ⚑ {FLAG_TEXT[flag]}
                    </li>
                  ))}
                </ul>
              ) : null}
              <table className="data-table choice-table">
                <caption className="visually-hidden">Choices picked on first attempts</caption>
                <thead>
                  <tr>
                    <th scope="col">Choice</th>
                    <th scope="col">Picked</th>
                    <th scope="col">Share</th>
                  </tr>
                </thead>
                <tbody>
                  {q.choices.map((c) => (
                    <tr key={c.id}>
                      <th scope="row">
                        <span dangerouslySetInnerHTML={{ __html: c.html }} />
                        {c.correct ? <span className="badge badge--completed">Correct</span> : null}
                      </th>
                      <td>{c.picked.toLocaleString("en")}</td>
                      <td>
                        <span
                          className="share-bar"
                          style={{ width: `${Math.round(c.share * 100)}%` }}
                        />
                        {percent(c.share)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </article>
          ))}
        </div>
      ))}
    </section>
  );
}
