/** @type {import('next').NextConfig} */
const nextConfig = {
  // Nothing here reaches the network: no images, no fonts, no telemetry.
  images: { unoptimized: true },
}

export default nextConfig
