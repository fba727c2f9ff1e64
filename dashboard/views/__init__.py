"""One Streamlit page script per module; dashboard/app.py registers them with st.navigation."""
