/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  devIndicators: false, // no badge over the pages in `next dev` (make web)
};

export default nextConfig;
