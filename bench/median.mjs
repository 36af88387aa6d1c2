/** The middle value of some samples (the upper one of two when their count is even). */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
