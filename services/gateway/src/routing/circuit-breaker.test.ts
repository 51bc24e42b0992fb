import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';

describe('circuit breaker', () => {
  const options = { failureThreshold: 3, cooldownMs: 1000 };

  it('opens after K consecutive failures; a success in between resets the count', () => {
    const breaker = new CircuitBreaker(options);
    breaker.onFailure(0);
    breaker.onFailure(0);
    breaker.onSuccess();
    breaker.onFailure(0);
    breaker.onFailure(0);
    expect(breaker.state).toBe('closed');
    expect(breaker.available(0)).toBe(true);
    breaker.onFailure(10);
    expect(breaker.state).toBe('open');
    expect(breaker.available(500)).toBe(false);
    expect(breaker.retryInMs(500)).toBe(510);
  });

  it('lets exactly one probe through after the cool-down; its success closes the circuit', () => {
    const breaker = new CircuitBreaker(options);
    for (let i = 0; i < 3; i += 1) breaker.onFailure(0);
    expect(breaker.available(1000)).toBe(true);
    breaker.onDispatch(1000);
    expect(breaker.state).toBe('half-open');
    expect(breaker.available(1000)).toBe(false); // the probe is out: nobody else
    breaker.onSuccess();
    expect(breaker.state).toBe('closed');
    expect(breaker.available(1000)).toBe(true);
  });

  it('a failed probe opens it again for a whole cool-down', () => {
    const breaker = new CircuitBreaker(options);
    for (let i = 0; i < 3; i += 1) breaker.onFailure(0);
    breaker.onDispatch(2000);
    breaker.onFailure(2000);
    expect(breaker.state).toBe('open');
    expect(breaker.available(2999)).toBe(false);
    expect(breaker.available(3000)).toBe(true);
  });

  it('a probe that ends without a verdict (client left) frees the probe slot', () => {
    const breaker = new CircuitBreaker(options);
    for (let i = 0; i < 3; i += 1) breaker.onFailure(0);
    breaker.onDispatch(1000);
    breaker.onNeutral();
    expect(breaker.state).toBe('half-open');
    expect(breaker.available(1000)).toBe(true);
  });

  it('dispatching while closed changes nothing', () => {
    const breaker = new CircuitBreaker(options);
    breaker.onDispatch(0);
    breaker.onDispatch(0);
    expect(breaker.available(0)).toBe(true);
    expect(breaker.retryInMs(0)).toBe(0);
  });
});
