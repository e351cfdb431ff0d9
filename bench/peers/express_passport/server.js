'use strict';
/*
 * Peer: the Node design Sésame replaces. Express 4, Passport's local strategy, sessions in
 * PostgreSQL (express-session + connect-pg-simple), bcrypt cost 10 (native, async: it runs
 * in libuv's pool of 4 threads), queries with `pg` (pool of 10). Defaults everywhere.
 *
 *   POST /auth/register  JSON {email, password, firstname, lastname}  201 (users + profiles, one transaction)
 *   POST /auth/login     JSON {emailOrUsername, password}             200, cookies connect.sid and refresh_token
 *   POST /auth/refresh   cookie refresh_token                         200 {ok: true}, a new session and token
 *   POST /auth/logout    cookies                                      204, session (and refresh token) deleted
 *   GET  /auth/me        cookie connect.sid                           200 {user, profile}, 401 without a session
 *   GET  /health         no database                                  200
 *
 * The refresh route is the original design's: read the token's row, read its user, log the
 * user in again (a new express session: the store deletes one row and inserts one), delete
 * the old token, insert a new one. Separate queries, no transaction, as it was.
 *
 * Run from this folder: PGDATABASE=... PORT=8102 NODE_PATH=<node_modules> node server.js
 */

const crypto = require('crypto');
const express = require('express');
const session = require('express-session');
const PgStore = require('connect-pg-simple')(session);
const passport = require('passport');
const { Strategy: LocalStrategy } = require('passport-local');
const bcrypt = require('bcrypt');
const { Pool } = require('pg');

const HOST = process.env.HOST || '127.0.0.1';
const PORT = Number(process.env.PORT || 8102);
const SECRET = 'bench-only-secret';
const REFRESH_COOKIE = 'refresh_token';
const REFRESH_MS = 30 * 24 * 3600 * 1000;

// pg takes PGHOST, PGPORT, PGUSER and PGDATABASE from the environment.
const db = new Pool({ host: process.env.PGHOST || '127.0.0.1', user: process.env.PGUSER || 'postgres' });

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS users (
    id bigserial PRIMARY KEY,
    email text NOT NULL UNIQUE,
    username text,
    password_hash text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE UNIQUE INDEX IF NOT EXISTS users_username_lower ON users (lower(username));
  CREATE TABLE IF NOT EXISTS profiles (
    user_id bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    firstname text,
    lastname text,
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE IF NOT EXISTS refresh_tokens (
    token text PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires timestamptz NOT NULL
  );`;

// The design parses cookies with cookie-parser; the refresh cookie is the one it reads.
function cookie(req, name) {
  const found = (req.headers.cookie || '').split(';').map((part) => part.trim().split('='))
    .find(([key]) => key === name);
  return found ? decodeURIComponent(found.slice(1).join('=')) : undefined;
}

async function grantRefreshToken(res, userId) {
  const token = crypto.randomBytes(32).toString('hex');
  await db.query('INSERT INTO refresh_tokens (token, user_id, expires) VALUES ($1, $2, $3)',
    [token, userId, new Date(Date.now() + REFRESH_MS)]);
  res.cookie(REFRESH_COOKIE, token, { httpOnly: true, sameSite: 'lax', maxAge: REFRESH_MS });
}

function logIn(req, user) {
  return new Promise((resolve, reject) => req.login(user, (err) => (err ? reject(err) : resolve())));
}

passport.use(new LocalStrategy({ usernameField: 'emailOrUsername' }, async (identifier, password, done) => {
  try {
    const { rows: [user] } = await db.query(
      'SELECT id, email, username, password_hash FROM users WHERE email = lower($1) OR lower(username) = lower($1) LIMIT 1',
      [identifier]);
    if (!user || !(await bcrypt.compare(password, user.password_hash))) return done(null, false);
    return done(null, { id: user.id, email: user.email, username: user.username });
  } catch (err) {
    return done(err);
  }
}));
passport.serializeUser((user, done) => done(null, String(user.id)));
passport.deserializeUser((id, done) => {
  db.query('SELECT id, email, username, created_at FROM users WHERE id = $1', [id])
    .then(({ rows }) => done(null, rows[0] || false), done);
});

const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '16kb' }));
app.use(session({
  store: new PgStore({ pool: db, tableName: 'session', createTableIfMissing: true }),
  secret: SECRET,
  resave: false,
  saveUninitialized: false,
  cookie: { httpOnly: true, sameSite: 'lax', maxAge: 24 * 3600 * 1000 },
}));
app.use(passport.initialize());
app.use(passport.session());

app.get('/health', (req, res) => res.json({ status: 'ok' }));

app.post('/auth/register', async (req, res, next) => {
  const { email, password, firstname, lastname, username } = req.body || {};
  if (typeof email !== 'string' || typeof password !== 'string' || password.length < 8) {
    return res.status(400).json({ error: 'invalid_body' });
  }
  const client = await db.connect();
  try {
    const hash = await bcrypt.hash(password, 10);
    await client.query('BEGIN');
    const { rows: [user] } = await client.query(
      'INSERT INTO users (email, username, password_hash) VALUES (lower($1), $2, $3) ON CONFLICT (email) DO NOTHING RETURNING id, email, username',
      [email, username || null, hash]);
    if (!user) {
      await client.query('ROLLBACK');
      return res.status(409).json({ error: 'email_taken' });
    }
    await client.query('INSERT INTO profiles (user_id, firstname, lastname) VALUES ($1, $2, $3)',
      [user.id, firstname || null, lastname || null]);
    await client.query('COMMIT');
    return res.status(201).json({ id: String(user.id), email: user.email, username: user.username });
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    return next(err);
  } finally {
    client.release();
  }
});

app.post('/auth/login', (req, res, next) => {
  passport.authenticate('local', async (err, user) => {
    if (err) return next(err);
    if (!user) return res.status(401).json({ error: 'invalid_credentials' });
    try {
      await logIn(req, user); // Passport 0.6+ regenerates the session first (no fixation)
      await grantRefreshToken(res, user.id);
      return res.json({ id: String(user.id), email: user.email });
    } catch (loginErr) {
      return next(loginErr);
    }
  })(req, res, next);
});

app.post('/auth/refresh', async (req, res, next) => {
  const token = cookie(req, REFRESH_COOKIE);
  if (!token) return res.status(401).json({ error: 'no_refresh_token' });
  try {
    const { rows: [stored] } = await db.query('SELECT user_id, expires FROM refresh_tokens WHERE token = $1', [token]);
    if (!stored || stored.expires < new Date()) {
      if (stored) await db.query('DELETE FROM refresh_tokens WHERE token = $1', [token]);
      res.clearCookie(REFRESH_COOKIE);
      return res.status(401).json({ error: 'invalid_refresh' });
    }
    const { rows: [user] } = await db.query('SELECT id, email, username FROM users WHERE id = $1', [stored.user_id]);
    if (!user) {
      await db.query('DELETE FROM refresh_tokens WHERE token = $1', [token]);
      res.clearCookie(REFRESH_COOKIE);
      return res.status(401).json({ error: 'user_not_found' });
    }
    await logIn(req, user);
    await db.query('DELETE FROM refresh_tokens WHERE token = $1', [token]);
    await grantRefreshToken(res, user.id);
    return res.json({ ok: true });
  } catch (err) {
    return next(err);
  }
});

app.post('/auth/logout', async (req, res, next) => {
  try {
    const token = cookie(req, REFRESH_COOKIE);
    if (token) {
      await db.query('DELETE FROM refresh_tokens WHERE token = $1', [token]);
      res.clearCookie(REFRESH_COOKIE);
    }
  } catch (err) {
    return next(err);
  }
  return req.logout((err) => {
    if (err) return next(err);
    return req.session.destroy((destroyErr) => {
      if (destroyErr) return next(destroyErr);
      res.clearCookie('connect.sid');
      return res.status(204).end();
    });
  });
});

app.get('/auth/me', async (req, res, next) => {
  if (!req.isAuthenticated()) return res.status(401).json({ error: 'unauthenticated' });
  try {
    const { rows: [profile] } = await db.query(
      'SELECT firstname, lastname, updated_at FROM profiles WHERE user_id = $1', [req.user.id]);
    const { id, email, username, created_at: createdAt } = req.user;
    return res.json({ user: { id: String(id), email, username, createdAt }, profile: profile || null });
  } catch (err) {
    return next(err);
  }
});

app.use((err, req, res, next) => { // eslint-disable-line no-unused-vars
  console.error(err);
  res.status(500).json({ error: 'internal' });
});

db.query(SCHEMA).then(() => {
  const server = app.listen(PORT, HOST, () => console.log(`express-passport on http://${HOST}:${PORT}`));
  const stop = () => {
    server.close();
    db.end().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}, (err) => {
  console.error('schema failed', err);
  process.exit(1);
});
