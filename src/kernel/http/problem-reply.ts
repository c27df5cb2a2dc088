import type { FastifyReply } from 'fastify';
import type { Problem } from './errors.ts';

/** Answers with the problem document; the path of the request's `url` becomes its `instance`. */
export function sendProblem(reply: FastifyReply, problem: Problem, url: string | undefined): FastifyReply {
  return reply
    .status(problem.status)
    .type('application/problem+json')
    .send(problem.toJSON(url?.split('?')[0]));
}
